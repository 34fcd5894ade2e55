import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { MenuItem, Stack, TextField, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { formatMoney, formatTime } from '../../lib/format';
import { MessageDrawer } from './MessageDrawer';
import { StatusChip } from './StatusChip';

type Message = Schemas['Message'];
type Status = Schemas['Status'];

const statuses: Status[] = ['accepted', 'scheduled', 'queued', 'submitted', 'delivered', 'undelivered', 'expired', 'rejected', 'failed'];

const columns: GridColDef<Message>[] = [
  { field: 'created_at', headerName: 'Created', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'to', headerName: 'To', width: 150 },
  { field: 'from', headerName: 'From', width: 120 },
  { field: 'status', headerName: 'Status', width: 130, renderCell: (p) => <StatusChip status={p.row.status} /> },
  { field: 'text', headerName: 'Text', flex: 1, minWidth: 160 },
  { field: 'segments', headerName: 'Segments', width: 90, type: 'number' },
  { field: 'price', headerName: 'Price', width: 100, valueFormatter: (v: number) => formatMoney(v) },
];

/** MessagesPage lists the account's messages, newest first, with filters and a detail drawer. */
export default function MessagesPage() {
  const [params, setParams] = useSearchParams();
  const [open, setOpen] = useState<string | null>(params.get('id'));
  const status = (params.get('status') ?? '') as Status | '';
  const to = params.get('to') ?? '';
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    setParams(p, { replace: true });
  };
  const filters = { status: status || undefined, to: to || undefined };

  return (
    <>
      <PageHeader title="Messages" subtitle="Every message the account sent, with its delivery history" />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2 }}>
        <TextField select label="Status" value={status} onChange={(e) => set('status', e.target.value)} sx={{ minWidth: 160 }} size="small">
          <MenuItem value="">Any</MenuItem>
          {statuses.map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Number" placeholder="+447700900123" value={to} onChange={(e) => set('to', e.target.value.trim())} size="small" />
      </Stack>
      <CursorGrid<Message>
        label="Messages"
        queryKey={['messages', filters]}
        fetchPage={async (cursor, limit) =>
          unwrap(await api.GET('/v1/messages', { params: { query: { ...filters, cursor, limit } } }))
        }
        columns={columns}
        onRowClick={(m) => setOpen(m.id)}
        refetchInterval={5_000}
        renderCard={(m) => (
          <Stack spacing={0.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <StatusChip status={m.status} />
              <Typography variant="body2">{m.to}</Typography>
            </Stack>
            <Typography variant="body2" color="text.secondary" noWrap>
              {m.text}
            </Typography>
            <Typography variant="caption">{formatTime(m.created_at)}</Typography>
          </Stack>
        )}
        empty={
          <EmptyState title={status || to ? 'No message matches' : 'No messages yet'}>
            {status || to ? 'Change or clear the filters.' : 'Send a message from the Send page or the API; it appears here with its status.'}
          </EmptyState>
        }
      />
      <MessageDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
