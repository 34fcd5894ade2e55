import { Link, useNavigate } from 'react-router';
import { Button, Stack, Typography, Link as MuiLink } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import AddIcon from '@mui/icons-material/Add';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from '../../lib/format';
import type { Segment } from '../contacts/queries';
import { describeRules } from './describe';

const columns: GridColDef<Segment>[] = [
  { field: 'name', headerName: 'Name', width: 220, renderCell: (p) => <MuiLink component={Link} to={`/lists/segments/${p.row.id}`}>{p.row.name}</MuiLink> },
  { field: 'rules', headerName: 'Rules', flex: 1, minWidth: 220, valueFormatter: (v: Segment['rules']) => describeRules(v) },
  { field: 'updated_at', headerName: 'Changed', width: 180, valueFormatter: (v: string) => formatTime(v) },
];

/** SegmentsPanel pages through the account's segments; a row opens its rule editor. */
export function SegmentsPanel() {
  const navigate = useNavigate();
  return (
    <>
      <Stack direction="row" sx={{ mb: 2, justifyContent: 'flex-end' }}>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => navigate('/lists/segments/new')}>
          New segment
        </Button>
      </Stack>
      <CursorGrid<Segment>
        label="Segments"
        queryKey={['segments', 'page']}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/segments', { params: { query: { after: cursor ? Number(cursor) : undefined, limit: Math.min(limit, 100) } } }));
          return { items: page.data ?? [], next_cursor: page.next_after ? String(page.next_after) : undefined };
        }}
        columns={columns}
        getRowId={(s) => s.id!}
        onRowClick={(s) => navigate(`/lists/segments/${s.id}`)}
        renderCard={(s) => (
          <Stack spacing={0.5}>
            <Typography variant="body2">
              <b>{s.name}</b>
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {describeRules(s.rules)}
            </Typography>
          </Stack>
        )}
        empty={
          <EmptyState title="No segments yet" action={<Button variant="contained" onClick={() => navigate('/lists/segments/new')}>New segment</Button>}>
            A segment picks contacts by rules (a tag, a custom field, recent deliveries…) each time it is used, so it stays up to date.
          </EmptyState>
        }
      />
    </>
  );
}
