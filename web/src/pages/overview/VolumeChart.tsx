import { Box, Paper, Typography, useMediaQuery, useTheme } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { formatCount } from '../../lib/format';
import type { Counts } from './trend';

/** VolumeChart stacks each day's messages by status: delivered, failed, pending. */
export function VolumeChart({ days, counts }: { days: string[]; counts: Counts[] }) {
  const theme = useTheme();
  const total = counts.reduce((n, c) => n + c.messages, 0);
  const label = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const every = Math.max(1, Math.ceil(days.length / (narrow ? 4 : 10)));
  const height = narrow ? 220 : 280;
  return (
    <Paper variant="outlined" sx={{ p: 2, height: '100%' }} component="section" aria-labelledby="volume-title">
      <Typography variant="subtitle1" component="h2" id="volume-title">
        Volume by day and status
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {total === 0 ? 'No messages in this period: send one from the API or the Send page' : `${formatCount(total)} messages`}; days are UTC
      </Typography>
      <Box sx={{ height }} role="img" aria-label={`Messages per day by status, ${formatCount(total)} in all`}>
        <BarChart
          height={height}
          xAxis={[
            {
              scaleType: 'band',
              data: days,
              valueFormatter: (d: string) => label(d),
              tickLabelInterval: (_: unknown, i: number) => i % every === 0,
            },
          ]}
          yAxis={[{ width: 40, tickMinStep: 1, min: 0, max: total === 0 ? 1 : undefined }]}
          series={[
            { data: counts.map((c) => c.delivered), label: 'Delivered', stack: 'day', color: theme.palette.success.main },
            { data: counts.map((c) => c.failed), label: 'Failed', stack: 'day', color: theme.palette.error.main },
            { data: counts.map((c) => c.pending), label: 'Pending', stack: 'day', color: theme.palette.info.main },
          ]}
          margin={{ left: 0, right: 8, top: 8, bottom: 0 }}
        />
      </Box>
    </Paper>
  );
}
