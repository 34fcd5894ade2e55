import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Button, Chip, Link as MuiLink, MenuItem, Stack, TextField, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import AddIcon from '@mui/icons-material/PersonAddAlt';
import DownloadIcon from '@mui/icons-material/Download';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';
import { ContactDrawer } from './ContactDrawer';
import { ContactForm } from './ContactForm';
import { saveBlob } from '../../lib/download';
import { useDebounced } from '../../lib/useDebounced';
import { plusPhone } from './phones';
import { useListChoices, useSegmentChoices, type Contact } from './queries';

const columns = (open: (id: number) => void): GridColDef<Contact>[] => [
  {
    field: 'phone', headerName: 'Phone', width: 160,
    renderCell: (p) => (
      <MuiLink component="button" type="button" onClick={() => open(p.row.id)} aria-label={`Open ${plusPhone(p.row.phone)}`}>
        {plusPhone(p.row.phone)}
      </MuiLink>
    ),
  },
  { field: 'first_name', headerName: 'First name', width: 140 },
  { field: 'last_name', headerName: 'Last name', width: 140 },
  { field: 'email', headerName: 'Email', flex: 1, minWidth: 160 },
  { field: 'tags', headerName: 'Tags', width: 160, valueFormatter: (v: string[]) => (v ?? []).join(', ') },
  { field: 'last_message_at', headerName: 'Last message', width: 170, valueFormatter: (v: string | null) => (v ? formatTime(v) : '–') },
  {
    field: 'opted_out', headerName: 'Opted out', width: 110,
    renderCell: (p) => (p.row.opted_out ? <Chip size="small" color="error" variant="outlined" label="opted out" /> : null),
  },
];

/** ContactsList is the searchable, filterable, server-paginated list of contacts. */
export function ContactsList() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search.trim(), 300);
  const tag = params.get('tag') ?? '';
  const list = params.get('list') ?? '';
  const segment = params.get('segment') ?? '';
  const lists = useListChoices();
  const segments = useSegmentChoices();
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    setParams(p, { replace: true });
  };
  const filters = {
    q: q || undefined,
    tag: tag || undefined,
    list: list ? Number(list) : undefined,
    segment: segment ? Number(segment) : undefined,
  };
  const filtered = Boolean(q || tag || list || segment);

  const exporter = useMutation({
    mutationFn: async () => {
      const blob = unwrap(
        await api.GET('/v1/contacts/export', {
          params: { query: { list: filters.list, segment: filters.list ? undefined : filters.segment } },
          parseAs: 'blob',
        }),
      ) as unknown as Blob;
      saveBlob(blob, filters.list ? `list-${filters.list}.csv` : filters.segment ? `segment-${filters.segment}.csv` : 'contacts.csv');
    },
  });

  return (
    <>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ mb: 2 }}>
        <TextField
          label="Search"
          placeholder="Name or phone prefix"
          size="small"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            set('q', e.target.value.trim());
          }}
          sx={{ minWidth: 220 }}
        />
        <TextField label="Tag" size="small" value={tag} onChange={(e) => set('tag', e.target.value.trim())} />
        <TextField select label="List" size="small" value={list} onChange={(e) => set('list', e.target.value)} sx={{ minWidth: 160 }}>
          <MenuItem value="">Any</MenuItem>
          {(lists.data ?? []).map((l) => (
            <MenuItem key={l.id} value={String(l.id)}>
              {l.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label="Segment" size="small" value={segment} onChange={(e) => set('segment', e.target.value)} sx={{ minWidth: 160 }}>
          <MenuItem value="">Any</MenuItem>
          {(segments.data ?? []).map((s) => (
            <MenuItem key={s.id} value={String(s.id)}>
              {s.name}
            </MenuItem>
          ))}
        </TextField>
        <Stack direction="row" spacing={1} sx={{ flexGrow: 1, justifyContent: { md: 'flex-end' } }}>
          <Button startIcon={<DownloadIcon />} onClick={() => exporter.mutate()} disabled={exporter.isPending}>
            Export
          </Button>
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            New contact
          </Button>
        </Stack>
      </Stack>
      <ProblemAlert error={exporter.error} onClose={() => exporter.reset()} />
      <CursorGrid<Contact>
        label="Contacts"
        queryKey={['contacts', filters]}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/contacts', { params: { query: { ...filters, cursor, limit } } }));
          return { items: page.data, next_cursor: page.next_cursor };
        }}
        columns={columns(setOpen)}
        onRowClick={(c) => setOpen(c.id)}
        renderCard={(c) => (
          <Stack spacing={0.5}>
            <Typography variant="body2">
              <b>{plusPhone(c.phone)}</b> {c.first_name} {c.last_name}
            </Typography>
            {c.email && (
              <Typography variant="body2" color="text.secondary" noWrap>
                {c.email}
              </Typography>
            )}
            <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap' }}>
              {c.opted_out && <Chip size="small" color="error" variant="outlined" label="opted out" />}
              {c.tags.map((t) => (
                <Chip key={t} size="small" label={t} />
              ))}
            </Stack>
          </Stack>
        )}
        empty={
          <EmptyState
            title={filtered ? 'No contact matches' : 'No contacts yet'}
            action={
              filtered ? undefined : (
                <Button variant="contained" component={Link} to="/contacts/imports">
                  Import a CSV
                </Button>
              )
            }
          >
            {filtered
              ? 'Change or clear the search and filters.'
              : 'Import a CSV file of your contacts (Import tab) or add one with New contact.'}
          </EmptyState>
        }
      />
      <ContactDrawer id={open} onClose={() => setOpen(null)} />
      <ContactForm open={creating} onClose={() => setCreating(false)} onSaved={(c) => setOpen(c.id)} />
    </>
  );
}
