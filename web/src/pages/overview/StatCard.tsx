import { Suspense, type ReactNode } from 'react';
import { Box, Card, CardContent, Skeleton, Stack, Typography } from '@mui/material';
import TrendingUpIcon from '@mui/icons-material/TrendingUp';
import TrendingDownIcon from '@mui/icons-material/TrendingDown';
import TrendingFlatIcon from '@mui/icons-material/TrendingFlat';
import { LazySparkline } from './lazy';
import type { Trend } from './trend';

const icons = { up: TrendingUpIcon, down: TrendingDownIcon, flat: TrendingFlatIcon };

/** TrendLine shows a change against the previous period, green when good news, red when bad. */
export function TrendLine({ trend }: { trend: Trend | null }) {
  if (!trend) return <Typography variant="caption" color="text.secondary">no earlier data</Typography>;
  const Icon = icons[trend.direction];
  const color = trend.good === null ? 'text.secondary' : trend.good ? 'success.main' : 'error.main';
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', color }}>
      <Icon fontSize="small" aria-hidden />
      <Typography variant="caption" sx={{ color }}>
        {trend.text} <Box component="span" sx={{ color: 'text.secondary' }}>vs previous period</Box>
      </Typography>
    </Stack>
  );
}

export interface StatCardProps {
  label: string;
  value: string;
  loading: boolean;
  trend?: Trend | null;
  /** One value per day of the period, for the sparkline. */
  series?: number[];
  /** A line under the value instead of a trend. */
  note?: ReactNode;
  /** Formats a sparkline value in its tooltip. */
  format?: (v: number | null) => string;
}

/** StatCard is one figure of the Overview with its trend and a sparkline of its days. */
export function StatCard({ label, value, loading, trend, series, note, format }: StatCardProps) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }} component="section" aria-label={label}>
      <CardContent>
        <Typography variant="body2" color="text.secondary" component="h2">
          {label}
        </Typography>
        <Typography variant="h5" component="p" data-testid={`stat-${label}`}>
          {loading ? <Skeleton width={80} /> : value}
        </Typography>
        {!loading &&
          (note ? (
            <Typography variant="caption" color="text.secondary" component="p">
              {note}
            </Typography>
          ) : (
            trend !== undefined && <TrendLine trend={trend} />
          ))}
        {series && series.length > 1 && (
          <Box sx={{ height: 36, mt: 1 }} aria-hidden>
            <Suspense fallback={null}>
              <LazySparkline data={series} format={format} />
            </Suspense>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
