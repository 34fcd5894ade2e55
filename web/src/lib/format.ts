// Formatting shared by the pages: money in micro-units, counts, times.

/** formatMoney shows an amount in micro-units (1 unit = 1,000,000) of currency. */
export function formatMoney(micros: number | undefined | null, currency = 'EUR', digits = 2): string {
  if (micros === undefined || micros === null) return '–';
  const units = micros / 1_000_000;
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: Math.max(digits, Math.abs(units) < 1 && units !== 0 ? 4 : digits),
    }).format(units);
  } catch {
    return `${units.toFixed(digits)} ${currency}`;
  }
}

/** formatCount shows an integer with the locale's grouping. */
export function formatCount(n: number | undefined | null): string {
  return n === undefined || n === null ? '–' : new Intl.NumberFormat().format(n);
}

/** formatPercent shows a ratio (0..1) as a percentage, "–" when there is no ratio. */
export function formatPercent(r: number | undefined | null, digits = 1): string {
  if (r === undefined || r === null || !Number.isFinite(r)) return '–';
  return `${(r * 100).toFixed(digits)}%`;
}

/** formatTime shows an RFC 3339 time in the browser's zone. */
export function formatTime(t: string | undefined | null): string {
  if (!t) return '–';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString();
}
