import { Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatMoney, formatTime } from '../../lib/format';
import { ledgerKindLabel } from './months';

type Entry = Schemas['LedgerItem'];

/** LedgerGrid pages through every change of the account's money, oldest first, as the API lists it. */
export function LedgerGrid({ currency }: { currency: string }) {
  const money = (v: number) => formatMoney(v, currency, 2);
  const columns: GridColDef<Entry>[] = [
    { field: 'at', headerName: 'Time', width: 190, valueFormatter: (v: string) => formatTime(v) },
    { field: 'kind', headerName: 'Kind', width: 140, valueFormatter: (v: string) => ledgerKindLabel(v) },
    { field: 'amount', headerName: 'Amount', width: 130, type: 'number', valueFormatter: (v: number) => money(v) },
    { field: 'reason', headerName: 'Reason', flex: 1, minWidth: 160 },
    { field: 'message_id', headerName: 'Message', width: 200 },
  ];
  return (
    <CursorGrid<Entry>
      label="Ledger"
      queryKey={['ledger']}
      fetchPage={async (cursor, limit) => {
        const page = unwrap(await api.GET('/v1/ledger', { params: { query: { cursor, limit } } }));
        return { items: page.items, next_cursor: page.next_cursor || undefined };
      }}
      columns={columns}
      renderCard={(e) => (
        <Stack spacing={0.25}>
          <Stack direction="row" spacing={1}>
            <Typography sx={{ flexGrow: 1 }}>{ledgerKindLabel(e.kind)}</Typography>
            <Typography sx={{ fontVariantNumeric: 'tabular-nums' }}>{money(e.amount)}</Typography>
          </Stack>
          {e.reason && (
            <Typography variant="body2" color="text.secondary">
              {e.reason}
            </Typography>
          )}
          <Typography variant="caption">{formatTime(e.at)}</Typography>
        </Stack>
      )}
      empty={<EmptyState title="No money has moved yet">The ledger lists top-ups, charges and refunds as they happen.</EmptyState>}
    />
  );
}
