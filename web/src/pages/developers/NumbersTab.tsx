import { Chip, Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from '../../lib/format';

type InboundNumber = Schemas['Number'];

const columns: GridColDef<InboundNumber>[] = [
  { field: 'number', headerName: 'Number', width: 160 },
  { field: 'kind', headerName: 'Kind', width: 100 },
  { field: 'keyword', headerName: 'Keyword', width: 110 },
  { field: 'carrier', headerName: 'Carrier', width: 120 },
  { field: 'webhook_url', headerName: 'Inbound webhook', flex: 1, minWidth: 200 },
  { field: 'smpp', headerName: 'To SMPP', width: 90, type: 'boolean' },
  { field: 'created_at', headerName: 'Assigned', width: 180, valueFormatter: (v: string) => formatTime(v) },
];

/** NumbersTab lists the account's inbound numbers and where their messages go. */
export function NumbersTab() {
  return (
    <CursorGrid<InboundNumber>
      label="Inbound numbers"
      queryKey={['numbers']}
      fetchPage={async (cursor, limit) => {
        const page = unwrap(await api.GET('/v1/numbers', { params: { query: { cursor, limit } } }));
        return { items: page.data, next_cursor: page.next_cursor || undefined };
      }}
      columns={columns}
      renderCard={(n) => (
        <Stack spacing={0.5}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography sx={{ fontWeight: 500 }}>{n.number}</Typography>
            <Chip size="small" label={n.kind} />
            {n.keyword && <Chip size="small" variant="outlined" label={n.keyword} />}
          </Stack>
          <Typography variant="body2" color="text.secondary" noWrap>
            {n.webhook_url || (n.smpp ? 'to SMPP binds' : 'no webhook')}
          </Typography>
        </Stack>
      )}
      empty={
        <EmptyState title="No inbound numbers">
          Replies and inbound messages need a number; your operator or reseller assigns one to the account.
        </EmptyState>
      }
    />
  );
}
