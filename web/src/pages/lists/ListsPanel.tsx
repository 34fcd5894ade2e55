import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Stack, Typography, Link as MuiLink } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import AddIcon from '@mui/icons-material/PlaylistAdd';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatCount, formatTime } from '../../lib/format';
import type { ContactList } from '../contacts/queries';
import { ListNameDialog } from './ListNameDialog';

const columns: GridColDef<ContactList>[] = [
  { field: 'name', headerName: 'Name', flex: 1, minWidth: 180, renderCell: (p) => <MuiLink component={Link} to={`/lists/${p.row.id}`}>{p.row.name}</MuiLink> },
  { field: 'count', headerName: 'Members', width: 120, type: 'number', valueFormatter: (v: number) => formatCount(v) },
  { field: 'created_at', headerName: 'Created', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'updated_at', headerName: 'Changed', width: 180, valueFormatter: (v: string) => formatTime(v) },
];

/** ListsPanel pages through the account's lists; a row opens the list and its members. */
export function ListsPanel() {
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Stack direction="row" sx={{ mb: 2, justifyContent: 'flex-end' }}>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
          New list
        </Button>
      </Stack>
      <CursorGrid<ContactList>
        label="Lists"
        queryKey={['lists', 'page']}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/lists', { params: { query: { cursor, limit } } }));
          return { items: page.data, next_cursor: page.next_cursor };
        }}
        columns={columns}
        onRowClick={(l) => navigate(`/lists/${l.id}`)}
        renderCard={(l) => (
          <Typography variant="body2">
            <b>{l.name}</b> · {formatCount(l.count)} members
          </Typography>
        )}
        empty={
          <EmptyState title="No lists yet" action={<Button variant="contained" onClick={() => setCreating(true)}>New list</Button>}>
            A list is a fixed set of contacts to send a campaign to. Create one, then add contacts by phone, or import a CSV into it
            from Contacts → Import.
          </EmptyState>
        }
      />
      <ListNameDialog open={creating} onClose={() => setCreating(false)} onSaved={(l) => navigate(`/lists/${l.id}`)} />
    </>
  );
}
