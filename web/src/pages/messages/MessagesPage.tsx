import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { ExportButton, useExport } from './ExportButton';
import { isFiltered, queryFromParams } from './filters';
import { MessageDrawer } from './MessageDrawer';
import { MessageFilters } from './MessageFilters';
import { StatusChip } from './StatusChip';

type Message = Schemas['Message'];

const columns: GridColDef<Message>[] = [
  { field: 'created_at', headerName: 'Created', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'to', headerName: 'To', width: 150 },
  { field: 'from', headerName: 'From', width: 120 },
  { field: 'status', headerName: 'Status', width: 130, renderCell: (p) => <StatusChip status={p.row.status} /> },
  { field: 'text', headerName: 'Text', flex: 1, minWidth: 160 },
  { field: 'segments', headerName: 'Segments', width: 90, type: 'number' },
  { field: 'price', headerName: 'Price', width: 100, valueFormatter: (v: number) => formatMoney(v) },
];

/** MessagesPage lists the account's messages, newest first, with filters, a CSV export and a detail drawer. */
export default function MessagesPage() {
  const [params, setParams] = useSearchParams();
  const [open, setOpen] = useState<string | null>(params.get('id'));
  // One update for several keys: react-router's functional update does
  // not see an earlier one still pending in the same event.
  const set = useCallback(
    (changes: Record<string, string>) =>
      setParams(
        (cur) => {
          const p = new URLSearchParams(cur);
          for (const [k, v] of Object.entries(changes)) {
            if (v) p.set(k, v);
            else p.delete(k);
          }
          return p;
        },
        { replace: true },
      ),
    [setParams],
  );
  const query = queryFromParams(params);
  const filtered = isFiltered(query);
  const exp = useExport(query);

  return (
    <>
      <PageHeader
        title="Messages"
        subtitle="Every message the account sent, with its delivery history"
        actions={<ExportButton exporting={exp.isPending} onClick={() => exp.mutate()} />}
      />
      <ProblemAlert error={exp.error} onClose={() => exp.reset()} />
      <MessageFilters params={params} set={set} />
      <CursorGrid<Message>
        label="Messages"
        queryKey={['messages', query]}
        fetchPage={async (cursor, limit) => unwrap(await api.GET('/v1/messages', { params: { query: { ...query, cursor, limit } } }))}
        columns={columns}
        onRowClick={(m) => setOpen(m.id)}
        refetchInterval={5_000}
        renderCard={(m) => (
          <Stack spacing={0.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <StatusChip status={m.status} />
              <Typography variant="body2">{m.to}</Typography>
              {m.from && (
                <Typography variant="caption" color="text.secondary">
                  from {m.from}
                </Typography>
              )}
            </Stack>
            <Typography variant="body2" color="text.secondary" noWrap>
              {m.text}
            </Typography>
            <Typography variant="caption">{formatTime(m.created_at)}</Typography>
          </Stack>
        )}
        empty={
          <EmptyState title={filtered ? 'No message matches' : 'No messages yet'}>
            {filtered ? 'Change or clear the filters.' : 'Send a message from the Send page or the API; it appears here with its status.'}
          </EmptyState>
        }
      />
      <MessageDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
