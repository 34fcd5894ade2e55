import { SparkLineChart } from '@mui/x-charts/SparkLineChart';

/** Sparkline draws a card's days as a small area line (loaded apart from the page: see lazy.ts). */
export default function Sparkline({ data, format }: { data: number[]; format?: (v: number | null) => string }) {
  return <SparkLineChart data={data} height={36} area curve="linear" valueFormatter={format} disableKeyboardNavigation />;
}
