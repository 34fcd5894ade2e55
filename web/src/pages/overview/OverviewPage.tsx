import { useQuery } from '@tanstack/react-query';
import { Card, CardContent, Grid, Skeleton, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatMoney, formatPercent } from '../../lib/format';

function Stat({ label, value, loading }: { label: string; value: string; loading: boolean }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5" component="p">
          {loading ? <Skeleton width={80} /> : value}
        </Typography>
      </CardContent>
    </Card>
  );
}

/** OverviewPage shows the account's last 30 days at a glance. */
export default function OverviewPage() {
  const usage = useQuery({ queryKey: ['usage', 'overview'], queryFn: async () => unwrap(await api.GET('/v1/usage', {})) });
  const balance = useQuery({ queryKey: ['balance'], queryFn: async () => unwrap(await api.GET('/v1/balance')) });
  const t = usage.data?.total;
  const cur = usage.data?.currency ?? balance.data?.currency ?? 'EUR';
  const settled = t ? t.delivered + t.failed : 0;
  return (
    <>
      <PageHeader title="Overview" subtitle="The last 30 days" />
      <ProblemAlert error={usage.error ?? balance.error} />
      <Grid container spacing={2}>
        <Grid size={{ xs: 6, md: 3 }}>
          <Stat label="Sent" value={formatCount(t?.messages)} loading={usage.isLoading} />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Stat label="Delivered" value={formatPercent(settled ? (t?.delivered ?? 0) / settled : null)} loading={usage.isLoading} />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Stat label="Spend" value={formatMoney(t ? t.charged - t.refunded : undefined, cur)} loading={usage.isLoading} />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Stat label="Balance" value={formatMoney(balance.data?.available, cur)} loading={balance.isLoading} />
        </Grid>
      </Grid>
    </>
  );
}
