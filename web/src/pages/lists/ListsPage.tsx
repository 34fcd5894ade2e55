import { Link, Route, Routes, useLocation } from 'react-router';
import { Tab, Tabs } from '@mui/material';
import { PageHeader } from '../../components/PageHeader';
import { ListsPanel } from './ListsPanel';
import { ListDetail } from './ListDetail';
import { SegmentsPanel } from './SegmentsPanel';
import { SegmentEditor } from './SegmentEditor';

/** ListsPage holds the account's static lists and its segments (saved rules over the contacts). */
export default function ListsPage() {
  const { pathname } = useLocation();
  const onSegments = pathname.startsWith('/lists/segments');
  return (
    <>
      <PageHeader title="Lists and segments" subtitle="Static lists of contacts, and segments that pick contacts by rules when used" />
      <Tabs value={onSegments ? 1 : 0} aria-label="Lists or segments" sx={{ mb: 2 }}>
        <Tab label="Lists" component={Link} to="/lists" />
        <Tab label="Segments" component={Link} to="/lists/segments" />
      </Tabs>
      <Routes>
        <Route index element={<ListsPanel />} />
        <Route path="segments" element={<SegmentsPanel />} />
        <Route path="segments/new" element={<SegmentEditor />} />
        <Route path="segments/:id" element={<SegmentEditor />} />
        <Route path=":id" element={<ListDetail />} />
      </Routes>
    </>
  );
}
