import { useQuery } from '@tanstack/react-query';
import { Stack, Typography } from '@mui/material';
import { api } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { BalanceCard } from './BalanceCard';
import { LedgerGrid } from './LedgerGrid';
import { PriceList } from './PriceList';
import { Statements } from './Statements';
import { TopUpAsks } from './TopUpAsks';

/** BillingPage shows the account's money: balance, ledger, statements and invoices, prices, and how to top up. */
export default function BillingPage() {
  const { me } = useAuth();
  const balance = useQuery({ queryKey: ['balance'], queryFn: async () => unwrap(await api.GET('/v1/balance')), refetchInterval: 30_000 });
  const off = balance.error instanceof ProblemError && balance.error.status === 404;

  return (
    <>
      <PageHeader title="Billing" subtitle="Balance, ledger, statements and prices" />
      {off ? (
        <EmptyState title="Billing is not enabled on this gateway">Messages are not charged, so there is no balance or ledger.</EmptyState>
      ) : (
        <Stack spacing={3}>
          <ProblemAlert error={balance.error} />
          {balance.data && <BalanceCard balance={balance.data} />}
          <TopUpAsks currency={balance.data?.currency ?? 'EUR'} canAsk={me!.role === 'owner' || me!.role === 'reseller'} />
          <Stack spacing={1}>
            <Typography variant="h6" component="h2">
              Ledger
            </Typography>
            <LedgerGrid currency={balance.data?.currency ?? 'EUR'} />
          </Stack>
          <Statements accountId={me!.account_id} />
          <PriceList />
        </Stack>
      )}
    </>
  );
}
