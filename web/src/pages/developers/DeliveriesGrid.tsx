import { Chip, Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from '../../lib/format';
import { deliveryColor, deliveryLabel, deliveryOutcome } from './deliveries';

type Delivery = Schemas['WebhooksDeliveryItem'];

/** StatusCodeChip shows an attempt's HTTP status, coloured by 2xx, 4xx, 5xx or no answer. */
function StatusCodeChip({ code }: { code: number }) {
  const color = deliveryColor(deliveryOutcome(code));
  // Outlined warning text is too faint on white: the warning chip is filled.
  return <Chip size="small" label={deliveryLabel(code)} color={color} variant={color === 'warning' ? 'filled' : 'outlined'} />;
}

/** DeliveriesGrid pages through the account's webhook delivery attempts, newest first, refreshed every 5 seconds. */
export function DeliveriesGrid({ accountId }: { accountId: string }) {
  const columns: GridColDef<Delivery>[] = [
    { field: 'at', headerName: 'Time', width: 180, valueFormatter: (v: string) => formatTime(v) },
    { field: 'message_id', headerName: 'Message', width: 190 },
    { field: 'url', headerName: 'URL', flex: 1, minWidth: 180 },
    { field: 'attempt', headerName: 'Attempt', width: 90, type: 'number' },
    {
      field: 'status_code',
      headerName: 'Status',
      width: 120,
      renderCell: (p) => <StatusCodeChip code={p.row.status_code} />,
    },
    { field: 'error', headerName: 'Error', flex: 1, minWidth: 160 },
    { field: 'gave_up', headerName: 'Gave up', width: 100, valueFormatter: (v: boolean) => (v ? 'Yes' : '') },
  ];
  return (
    <CursorGrid<Delivery>
      label="Recent deliveries"
      queryKey={['webhook-deliveries', accountId]}
      refetchInterval={5000}
      fetchPage={async (cursor, limit) => {
        const page = unwrap(await api.GET('/v1/webhooks/deliveries', { params: { query: { cursor, limit } } }));
        return { items: page.items, next_cursor: page.next_cursor || undefined };
      }}
      columns={columns}
      renderCard={(d) => (
        <Stack spacing={0.5}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography variant="body2" sx={{ flexGrow: 1 }}>
              {formatTime(d.at)} · attempt {d.attempt}
              {d.gave_up ? ' · gave up' : ''}
            </Typography>
            <StatusCodeChip code={d.status_code} />
          </Stack>
          <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
            {d.url}
          </Typography>
          <Typography variant="caption">Message {d.message_id}</Typography>
          {d.error && (
            <Typography variant="caption" color="error">
              {d.error}
            </Typography>
          )}
        </Stack>
      )}
      empty={
        <EmptyState title="No deliveries yet">
          Attempts appear here once a message to your callback URL changes status: set the URL above and send a message.
        </EmptyState>
      }
    />
  );
}
