import { Link, Route, Routes, useLocation } from 'react-router';
import { Tab, Tabs } from '@mui/material';
import { PageHeader } from '../../components/PageHeader';
import { ContactsList } from './ContactsList';
import { ImportsView } from './ImportsView';
import { FieldsView } from './FieldsView';

const tabs = [
  { to: '/contacts', label: 'All contacts' },
  { to: '/contacts/imports', label: 'Import' },
  { to: '/contacts/fields', label: 'Fields and settings' },
];

/** ContactsPage is the account's address book: the contacts, CSV imports, custom fields and settings. */
export default function ContactsPage() {
  const { pathname } = useLocation();
  const current = tabs.findIndex((t) => t.to === pathname.replace(/\/$/, ''));
  return (
    <>
      <PageHeader title="Contacts" subtitle="The people you message: search, import, export and their custom fields" />
      <Tabs value={current < 0 ? 0 : current} aria-label="Contacts sections" sx={{ mb: 2 }} variant="scrollable" allowScrollButtonsMobile>
        {tabs.map((t) => (
          <Tab key={t.to} label={t.label} component={Link} to={t.to} />
        ))}
      </Tabs>
      <Routes>
        <Route index element={<ContactsList />} />
        <Route path="imports" element={<ImportsView />} />
        <Route path="fields" element={<FieldsView />} />
      </Routes>
    </>
  );
}
