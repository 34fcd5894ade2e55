import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Box, Button, Chip, Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import type { Me } from '../../auth/AuthProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { type Account, accountsKey, fetchAccounts, setStatus } from './accountsApi';
import { AccountRoutesDialog } from './AccountRoutesDialog';
import { TopUpDialog } from './TopUpDialog';

/** StatusChip shows whether an account is active or suspended. */
function StatusChip({ status }: { status: Account['status'] }) {
  return <Chip size="small" variant="outlined" label={status} color={status === 'active' ? 'success' : 'warning'} />;
}

/**
 * AccountsGrid lists the accounts the caller may see (a reseller: itself
 * and its sub-accounts; an admin: every account), server-paginated, with
 * top-up and suspend or reactivate on each account below the caller.
 */
export function AccountsGrid({ me, onAudit, emptyHint }: { me: Me; onAudit?: (a: Account) => void; emptyHint: string }) {
  const qc = useQueryClient();
  const [topUp, setTopUp] = useState<Account | null>(null);
  const [confirm, setConfirm] = useState<Account | null>(null);
  const [routes, setRoutes] = useState<Account | null>(null);
  const status = useMutation({
    mutationFn: (a: Account) => setStatus(a.id, a.status === 'active'),
    onSuccess: () => {
      setConfirm(null);
      void qc.invalidateQueries({ queryKey: accountsKey });
    },
  });
  const own = (a: Account) => a.id === me.account_id;

  const actions = (a: Account) =>
    own(a) ? (
      <Typography variant="body2" color="text.secondary">
        Your account
      </Typography>
    ) : (
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
        <Button size="small" onClick={() => setTopUp(a)} aria-label={`Top up ${a.name}`}>
          Top up
        </Button>
        <Button size="small" color={a.status === 'active' ? 'error' : 'primary'} onClick={() => setConfirm(a)}
          aria-label={`${a.status === 'active' ? 'Suspend' : 'Activate'} ${a.name}`}>
          {a.status === 'active' ? 'Suspend' : 'Activate'}
        </Button>
        <Button size="small" onClick={() => setRoutes(a)} aria-label={`Routes of ${a.name}`}>
          Routes
        </Button>
        {onAudit && (
          <Button size="small" onClick={() => onAudit(a)} aria-label={`Audit log of ${a.name}`}>
            Audit
          </Button>
        )}
      </Stack>
    );

  const columns: GridColDef<Account>[] = [
    { field: 'name', headerName: 'Name', flex: 1, minWidth: 160 },
    { field: 'id', headerName: 'Id', width: 70 },
    { field: 'kind', headerName: 'Kind', width: 100 },
    { field: 'status', headerName: 'Status', width: 120, renderCell: (p) => <StatusChip status={p.row.status} /> },
    {
      field: 'balance', headerName: 'Balance', width: 130, sortable: false,
      valueGetter: (_v, row) => row.balance?.balance, valueFormatter: (_v, row) => formatMoney(row.balance?.balance, row.balance?.currency),
    },
    { field: 'created_at', headerName: 'Created', width: 170, valueFormatter: (v: string) => formatTime(v) },
    { field: 'actions', headerName: 'Actions', width: 330, sortable: false, renderCell: (p) => <Box sx={{ height: '100%', display: 'flex', alignItems: 'center' }}>{actions(p.row)}</Box> },
  ];

  const suspending = confirm?.status === 'active';
  return (
    <>
      <CursorGrid<Account>
        label="Accounts"
        queryKey={[...accountsKey, 'list']}
        fetchPage={fetchAccounts}
        columns={columns}
        renderCard={(a) => (
          <Stack spacing={0.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="subtitle2" sx={{ flexGrow: 1 }}>
                {a.name}
              </Typography>
              <StatusChip status={a.status} />
            </Stack>
            <Typography variant="body2" color="text.secondary">
              {a.kind} · {formatMoney(a.balance?.balance, a.balance?.currency)}
            </Typography>
            {actions(a)}
          </Stack>
        )}
        empty={<EmptyState title="No accounts yet">{emptyHint}</EmptyState>}
      />
      <AccountRoutesDialog account={routes} admin={me.role === 'admin'} onClose={() => setRoutes(null)} />
      <TopUpDialog account={topUp} transfer={me.role === 'reseller'} onClose={() => setTopUp(null)} />
      <ConfirmDialog
        open={confirm !== null}
        title={suspending ? `Suspend ${confirm?.name}?` : `Reactivate ${confirm?.name}?`}
        confirm={suspending ? 'Suspend' : 'Reactivate'}
        busy={status.isPending}
        onConfirm={() => confirm && status.mutate(confirm)}
        onClose={() => {
          setConfirm(null);
          status.reset();
        }}
      >
        <ProblemAlert error={status.error} />
        {suspending
          ? 'Its API keys stop working at once, new SMPP binds are refused and open ones are closed. You can reactivate it later.'
          : 'Its API keys and SMPP binds work again within 30 seconds on every instance.'}
      </ConfirmDialog>
    </>
  );
}
