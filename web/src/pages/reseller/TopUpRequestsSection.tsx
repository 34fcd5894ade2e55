import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CursorGrid } from '../../components/CursorGrid';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { AskStatusChip } from '../billing/TopUpAsks';
import { TopUpDialog } from './TopUpDialog';

type Ask = Schemas['TopUpAsk'];
const key = ['topup-requests', 'managed'] as const;

/**
 * TopUpRequestsSection lists the top-up requests made to the reseller (or,
 * for an admin, every account's), pending first, with Top up and Decline.
 * A top-up of the account marks its pending requests topped up.
 */
export function TopUpRequestsSection({ admin }: { admin: boolean }) {
  const qc = useQueryClient();
  const [topping, setTopping] = useState<string | null>(null);
  const [declining, setDeclining] = useState<Ask | null>(null);
  const account = useQuery({
    queryKey: ['account', topping],
    enabled: topping !== null,
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}', { params: { path: { id: topping! } } })),
  });
  const decline = useMutation({
    mutationFn: async (a: Ask) => unwrap(await api.POST('/v1/topup-requests/{id}/decline', { params: { path: { id: a.id } } })),
    onSuccess: () => {
      setDeclining(null);
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const actions = (a: Ask) =>
    a.status === 'pending' ? (
      <Stack direction="row" spacing={1}>
        <Button size="small" onClick={() => setTopping(a.account_id)} aria-label={`Top up ${a.account_name}`}>
          Top up
        </Button>
        <Button size="small" color="error" onClick={() => setDeclining(a)} aria-label={`Decline the request of ${a.account_name}`}>
          Decline
        </Button>
      </Stack>
    ) : null;
  const columns: GridColDef<Ask>[] = [
    { field: 'created_at', headerName: 'Asked', width: 180, valueFormatter: (v: string) => formatTime(v) },
    { field: 'account_name', headerName: 'Account', width: 160 },
    { field: 'amount', headerName: 'Amount', width: 130, type: 'number', valueFormatter: (v: number, r) => formatMoney(v, r.currency) },
    { field: 'note', headerName: 'Note', flex: 1, minWidth: 140 },
    { field: 'status', headerName: 'Status', width: 120, renderCell: (p) => <AskStatusChip status={p.row.status} /> },
    { field: 'actions', headerName: 'Actions', width: 190, sortable: false, renderCell: (p) => actions(p.row) },
  ];
  return (
    <Stack spacing={1}>
      <Typography variant="h6" component="h2">
        Top-up requests
      </Typography>
      <CursorGrid<Ask>
        label="Top-up requests"
        queryKey={key}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/topup-requests', { params: { query: { scope: 'managed', cursor, limit } } }));
          return { items: page.items, next_cursor: page.next_cursor || undefined };
        }}
        columns={columns}
        renderCard={(a) => (
          <Stack spacing={0.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography sx={{ flexGrow: 1 }}>
                {a.account_name}: {formatMoney(a.amount, a.currency)}
              </Typography>
              <AskStatusChip status={a.status} />
            </Stack>
            <Typography variant="caption">Asked {formatTime(a.created_at)}</Typography>
            {a.note && <Typography variant="body2">{a.note}</Typography>}
            {actions(a)}
          </Stack>
        )}
        empty={<Typography color="text.secondary">No account has asked for a top-up.</Typography>}
      />
      <ProblemAlert error={account.error} />
      <TopUpDialog
        account={topping !== null && account.data ? account.data : null}
        transfer={!admin}
        onClose={() => {
          setTopping(null);
          void qc.invalidateQueries({ queryKey: key });
        }}
      />
      <ConfirmDialog
        open={!!declining}
        title="Decline this request?"
        confirm="Decline"
        busy={decline.isPending}
        onConfirm={() => declining && decline.mutate(declining)}
        onClose={() => {
          setDeclining(null);
          decline.reset();
        }}
      >
        <ProblemAlert error={decline.error} />
        {declining?.account_name} asked for {declining ? formatMoney(declining.amount, declining.currency) : ''}. It sees the
        request as declined.
      </ConfirmDialog>
    </Stack>
  );
}
