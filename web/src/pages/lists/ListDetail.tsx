import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Box, Button, IconButton, Link as MuiLink, Paper, Stack, TextField, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import RemoveIcon from '@mui/icons-material/PersonRemoveOutlined';
import DownloadIcon from '@mui/icons-material/Download';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { formatCount } from '../../lib/format';
import { saveBlob } from '../../lib/download';
import { plusPhone, splitNumbers } from '../contacts/phones';
import type { Contact } from '../contacts/queries';
import { ListNameDialog } from './ListNameDialog';

/** ListDetail shows one list: rename, delete, export, and its members with add and remove. */
export function ListDetail() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [phones, setPhones] = useState('');
  const [ids, setIds] = useState('');
  const list = useQuery({
    queryKey: ['list', id],
    queryFn: async () => unwrap(await api.GET('/v1/lists/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
  });
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ['list', id] });
    qc.invalidateQueries({ queryKey: ['list-members', id] });
    qc.invalidateQueries({ queryKey: ['lists'] });
    qc.invalidateQueries({ queryKey: ['contacts'] });
  };
  const add = useMutation({
    mutationFn: async () => {
      const contact_ids = splitNumbers(ids);
      const body = { phones: splitNumbers(phones), contact_ids: contact_ids.length ? contact_ids : undefined };
      return unwrap(await api.POST('/v1/lists/{id}/contacts', { params: { path: { id } }, body }));
    },
    onSuccess: () => {
      setPhones('');
      setIds('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (contactId: number) =>
      unwrap(await api.DELETE('/v1/lists/{id}/contacts', { params: { path: { id } }, body: { contact_ids: [contactId] } })),
    onSuccess: refresh,
  });
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/lists/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['lists'] });
      navigate('/lists');
    },
  });
  const exporter = useMutation({
    mutationFn: async () => {
      const blob = unwrap(await api.GET('/v1/contacts/export', { params: { query: { list: id } }, parseAs: 'blob' })) as unknown as Blob;
      saveBlob(blob, `list-${id}.csv`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (phones.trim() || ids.trim()) add.mutate();
  };
  const l = list.data;
  const columns: GridColDef<Contact>[] = [
    { field: 'phone', headerName: 'Phone', width: 170, valueFormatter: (v: string) => plusPhone(v) },
    { field: 'first_name', headerName: 'First name', width: 150 },
    { field: 'last_name', headerName: 'Last name', width: 150 },
    { field: 'email', headerName: 'Email', flex: 1, minWidth: 160 },
    {
      field: 'remove', headerName: '', width: 70, sortable: false,
      renderCell: (p) => (
        <IconButton aria-label={`Remove ${plusPhone(p.row.phone)} from the list`} onClick={() => remove.mutate(p.row.id)} disabled={remove.isPending}>
          <RemoveIcon />
        </IconButton>
      ),
    },
  ];

  return (
    <Stack spacing={2}>
      <ProblemAlert error={list.error ?? del.error ?? exporter.error ?? remove.error} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
        <Box sx={{ flexGrow: 1 }}>
          <Typography variant="h6" component="h2">
            {l?.name ?? 'List'}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {l ? `${formatCount(l.count)} members` : ' '} · <MuiLink component={Link} to="/lists">all lists</MuiLink>
          </Typography>
        </Box>
        <Stack direction="row" spacing={1}>
          <Button startIcon={<DownloadIcon />} onClick={() => exporter.mutate()} disabled={exporter.isPending}>
            Export
          </Button>
          <Button onClick={() => setRenaming(true)} disabled={!l}>
            Rename
          </Button>
          <Button color="error" onClick={() => setDeleting(true)} disabled={!l}>
            Delete
          </Button>
        </Stack>
      </Stack>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <form onSubmit={submit} noValidate>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Add contacts
          </Typography>
          <ProblemAlert error={add.error} />
          {add.data && (
            <Alert severity="success" sx={{ mb: 2 }} onClose={() => add.reset()}>
              {formatCount(add.data.added)} added, {formatCount(add.data.matched - add.data.added)} already members,{' '}
              {formatCount(add.data.not_found)} not contacts of the account.
            </Alert>
          )}
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
            <TextField
              label="Phones"
              placeholder={'+447700900123\n07700 900124'}
              multiline
              minRows={2}
              value={phones}
              onChange={(e) => setPhones(e.target.value)}
              error={Boolean(fieldError(add.error, 'phones') || (add.error && /phones/.test(String((add.error as Error).message))))}
              helperText="One a line or separated by commas; up to 10,000 at once"
              sx={{ flex: 2 }}
            />
            <TextField
              label="Contact ids"
              placeholder="12, 13"
              value={ids}
              onChange={(e) => setIds(e.target.value)}
              helperText="Optional"
              sx={{ flex: 1 }}
            />
            <Box>
              <Button type="submit" variant="contained" disabled={add.isPending || !(phones.trim() || ids.trim())}>
                Add to list
              </Button>
            </Box>
          </Stack>
        </form>
      </Paper>
      <CursorGrid<Contact>
        label="List members"
        queryKey={['list-members', id]}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/lists/{id}/contacts', { params: { path: { id }, query: { cursor, limit } } }));
          return { items: page.data, next_cursor: page.next_cursor };
        }}
        columns={columns}
        renderCard={(c) => (
          <Stack direction="row" sx={{ alignItems: 'center' }}>
            <Typography variant="body2" sx={{ flexGrow: 1 }}>
              <b>{plusPhone(c.phone)}</b> {c.first_name} {c.last_name}
            </Typography>
            <IconButton aria-label={`Remove ${plusPhone(c.phone)} from the list`} onClick={() => remove.mutate(c.id)}>
              <RemoveIcon />
            </IconButton>
          </Stack>
        )}
        empty={<EmptyState title="This list has no members">Add contacts by phone above, or import a CSV into this list from Contacts → Import.</EmptyState>}
      />
      <ListNameDialog open={renaming} list={l} onClose={() => setRenaming(false)} />
      <ConfirmDialog
        open={deleting}
        title={`Delete the list ${l?.name ?? ''}?`}
        confirm="Delete list"
        busy={del.isPending}
        onConfirm={() => del.mutate()}
        onClose={() => setDeleting(false)}
      >
        The list and its memberships are deleted; its contacts stay in the address book.
      </ConfirmDialog>
    </Stack>
  );
}
