import { Paper, Stack, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import type { Schemas } from '../../../api/client';

type Stats = Schemas['CampaignStats'];
type Counts = Schemas['CampaignCounts'];

/** failedOf is every final failure of a count (failed, undelivered, expired, rejected). */
export function failedOf(c: Counts): number {
  return (c.failed ?? 0) + (c.undelivered ?? 0) + (c.expired ?? 0) + (c.rejected ?? 0);
}

/**
 * progressParts splits the audience into its states, which add up to the
 * targeted count: delivered, failed, awaiting a receipt, skipped and not
 * yet sent.
 */
export function progressParts(t: Counts): { label: string; value: number }[] {
  const sent = t.sent ?? 0;
  const delivered = t.delivered ?? 0;
  const failed = failedOf(t);
  return [
    { label: 'Delivered', value: delivered },
    { label: 'Failed', value: failed },
    { label: 'Awaiting receipt', value: Math.max(0, sent - delivered - failed) },
    { label: 'Skipped', value: t.skipped ?? 0 },
    { label: 'Not sent yet', value: t.pending ?? 0 },
  ];
}

function Chart({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, flex: 1, minWidth: 0 }} component="figure" aria-label={title} role="figure">
      <Typography variant="subtitle2" component="h3">
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

const colours = ['#2e7d32', '#d32f2f', '#0288d1', '#9e9e9e', '#ed6c02'];

/** StatsCharts draws a campaign's progress, its per-minute series and its breakdown per variant or step. */
export function StatsCharts({ stats, drip }: { stats: Stats; drip: boolean }) {
  const parts = progressParts(stats.totals);
  const series = stats.series ?? [];
  const breakdown = stats.breakdown ?? [];
  const byLabel = breakdown.map((b) => (drip ? `Step ${b.step ?? 0}` : b.variant ? `Variant ${b.variant}` : 'Rest'));
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <Chart title="Progress">
          <BarChart
            height={220}
            layout="horizontal"
            yAxis={[{ scaleType: 'band', data: ['Recipients'], width: 0 }]}
            xAxis={[{ min: 0, tickMinStep: 1 }]}
            series={parts.map((p, i) => ({ data: [p.value], label: p.label, stack: 'all', color: colours[i] }))}
          />
        </Chart>
        <Chart title="Sent, delivered and failed per minute">
          {series.length === 0 ? (
            <Typography variant="body2" color="text.secondary" sx={{ py: 4 }}>
              Nothing sent yet.
            </Typography>
          ) : (
            <BarChart
              height={220}
              yAxis={[{ tickMinStep: 1 }]}
              xAxis={[{ scaleType: 'band', data: series.map((s) => new Date(s.minute ?? '').toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) }]}
              series={[
                { data: series.map((s) => s.sent ?? 0), label: 'Sent', color: '#0288d1' },
                { data: series.map((s) => s.delivered ?? 0), label: 'Delivered', color: '#2e7d32' },
                { data: series.map((s) => s.failed ?? 0), label: 'Failed', color: '#d32f2f' },
              ]}
            />
          )}
        </Chart>
      </Stack>
      {breakdown.length > 0 && (
        <Chart title={drip ? 'Per step' : 'Per variant'}>
          <BarChart
            height={240}
            yAxis={[{ tickMinStep: 1 }]}
            xAxis={[{ scaleType: 'band', data: byLabel }]}
            series={[
              { data: breakdown.map((b) => b.sent ?? 0), label: 'Sent', color: '#0288d1' },
              { data: breakdown.map((b) => b.delivered ?? 0), label: 'Delivered', color: '#2e7d32' },
              { data: breakdown.map((b) => failedOf(b)), label: 'Failed', color: '#d32f2f' },
              { data: breakdown.map((b) => b.clicks?.total ?? 0), label: 'Clicks', color: '#7b1fa2' },
              { data: breakdown.map((b) => b.replies ?? 0), label: 'Replies', color: '#ed6c02' },
            ]}
          />
        </Chart>
      )}
    </Stack>
  );
}
