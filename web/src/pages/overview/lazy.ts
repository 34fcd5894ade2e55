import { lazy } from 'react';

// The Overview's heavy parts (@mui/x-charts, @mui/x-date-pickers) load
// after the page itself, so the first page stays within its JavaScript
// budget (scripts/budget.mjs) and the figures show before the charts.

/** VolumeChart: see ./VolumeChart. */
export const LazyVolumeChart = lazy(() => import('./VolumeChart').then((m) => ({ default: m.VolumeChart })));
/** Sparkline: see ./Sparkline. */
export const LazySparkline = lazy(() => import('./Sparkline'));
/** DateRangeFields: see ./DateRangeFields. */
export const LazyDateRangeFields = lazy(() => import('./DateRangeFields'));
