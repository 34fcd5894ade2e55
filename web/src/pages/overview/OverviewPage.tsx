import { Suspense, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Grid, Skeleton } from '@mui/material';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatMoney, formatPercent } from '../../lib/format';
import { balanceWarning } from './balance';
import { BalanceWarning } from './BalanceWarning';
import { CountryTable } from './CountryTable';
import { LazyVolumeChart } from './lazy';
import { choiceFromParams, daysOf, describePeriod, periodOf, previousPeriod, type PeriodChoice } from './period';
import { PeriodPicker } from './PeriodPicker';
import { RecentCampaigns } from './RecentCampaigns';
import { StatCard } from './StatCard';
import { byDay, carryForward, deliveryRate, spend, sumCounts, trend, type DayBucket } from './trend';
import { useAlertThreshold, useBalance, useUsage } from './useOverview';

/** lastsFor says how long a balance lasts, roughly. */
function lastsFor(days: number): string {
  if (days > 365) return 'more than a year';
  const n = Math.floor(days);
  return `about ${formatCount(n)} day${n === 1 ? '' : 's'}`;
}

/** OverviewPage shows the account's chosen period at a glance, against the period before. */
export default function OverviewPage() {
  const [params, setParams] = useSearchParams();
  const choice = choiceFromParams(params);
  const choiceKey = JSON.stringify(choice);
  const period = useMemo(() => periodOf(choice), [choiceKey]);
  const ok = 'from' in period ? period : null;
  const prev = ok ? previousPeriod(ok) : null;

  const cur = useUsage(ok, 'day');
  const before = useUsage(prev, 'day');
  const dest = useUsage(ok, 'destination');
  const balance = useBalance();
  const alerts = useAlertThreshold();

  const setChoice = (c: PeriodChoice) => {
    const p = new URLSearchParams();
    if ('preset' in c) p.set('days', String(c.preset));
    else {
      p.set('first', c.first);
      p.set('last', c.last);
    }
    setParams(p, { replace: true });
  };

  const days = ok ? daysOf(ok) : [];
  const daily = byDay((cur.data?.buckets ?? []) as DayBucket[], days);
  const prevDaily = prev ? byDay((before.data?.buckets ?? []) as DayBucket[], daysOf(prev)) : [];
  const t = sumCounts(daily);
  const p = before.data ? sumCounts(prevDaily) : null;
  const currency = cur.data?.currency ?? balance.data?.currency ?? 'EUR';
  const loading = cur.isLoading;
  const money = (v: number | null) => formatMoney(v, currency);
  // A day where nothing settled has no rate: its point repeats the day before.
  const rateSeries = carryForward(daily.map((c) => deliveryRate(c))).map((r) => r * 100);
  const dailySpend = ok ? spend(t) / ok.days : 0;
  const warning = balance.data && !alerts.loading ? balanceWarning(balance.data.available, dailySpend, alerts.threshold) : null;

  return (
    <>
      <PageHeader title="Overview" subtitle={ok ? describePeriod(choice, ok) : 'Choose a period'} />
      <PeriodPicker choice={choice} onChange={setChoice} />
      {'error' in period && (
        <Alert severity="info" sx={{ mt: 2 }}>
          {period.error}
        </Alert>
      )}
      <ProblemAlert error={cur.error ?? before.error} />
      {warning && balance.data && <BalanceWarning warning={warning} available={balance.data.available} currency={balance.data.currency} />}
      <Grid container spacing={2} sx={{ mt: 2 }}>
        <Grid size={{ xs: 6, sm: 4, lg: 'grow' }}>
          <StatCard
            label="Sent"
            value={formatCount(t.messages)}
            loading={loading}
            trend={p && trend(t.messages, p.messages)}
            series={daily.map((c) => c.messages)}
          />
        </Grid>
        <Grid size={{ xs: 6, sm: 4, lg: 'grow' }}>
          <StatCard
            label="Delivered"
            value={formatPercent(deliveryRate(t))}
            loading={loading}
            trend={p && trend(deliveryRate(t), deliveryRate(p), { kind: 'points', higherIsBetter: true })}
            series={rateSeries}
            format={(v) => formatPercent(v === null ? null : v / 100)}
          />
        </Grid>
        <Grid size={{ xs: 6, sm: 4, lg: 'grow' }}>
          <StatCard
            label="Failed"
            value={formatCount(t.failed)}
            loading={loading}
            trend={p && trend(t.failed, p.failed, { higherIsBetter: false })}
            series={daily.map((c) => c.failed)}
          />
        </Grid>
        <Grid size={{ xs: 6, sm: 6, lg: 'grow' }}>
          <StatCard
            label="Spend"
            value={money(spend(t))}
            loading={loading}
            trend={p && trend(spend(t), spend(p))}
            series={daily.map((c) => spend(c) / 1_000_000)}
          />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 'grow' }}>
          <StatCard
            label="Balance"
            value={balance.data ? money(balance.data.available) : balance.error ? 'not prepaid' : '–'}
            loading={balance.isLoading}
            note={
              warning?.daysLeft != null ? (
                <span>{lastsFor(warning.daysLeft)} at this period's spend</span>
              ) : (
                <span>available to spend</span>
              )
            }
          />
        </Grid>
      </Grid>
      <Grid container spacing={2} sx={{ mt: 2 }}>
        <Grid size={{ xs: 12, md: 8 }}>
          {cur.data ? (
            <Suspense fallback={<Skeleton variant="rectangular" height={340} />}>
              <LazyVolumeChart days={days} counts={daily} />
            </Suspense>
          ) : (
            <Skeleton variant="rectangular" height={340} />
          )}
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <RecentCampaigns />
        </Grid>
        <Grid size={{ xs: 12 }}>
          <ProblemAlert error={dest.error} />
          {dest.data ? <CountryTable buckets={dest.data.buckets} /> : <Skeleton variant="rectangular" height={200} />}
        </Grid>
      </Grid>
    </>
  );
}
