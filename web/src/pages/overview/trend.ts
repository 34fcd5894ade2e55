// Trends against the previous period, and the per-day series of the cards
// and charts, from the usage report's buckets.

/** Counts are a usage report's figures for a bucket or a total. */
export interface Counts {
  messages: number;
  segments: number;
  delivered: number;
  failed: number;
  pending: number;
  charged: number;
  refunded: number;
}

export const zeroCounts: Counts = { messages: 0, segments: 0, delivered: 0, failed: 0, pending: 0, charged: 0, refunded: 0 };

/** deliveryRate is delivered / (delivered + failed): the share of settled messages delivered; null when none settled. */
export function deliveryRate(c: Pick<Counts, 'delivered' | 'failed'>): number | null {
  const settled = c.delivered + c.failed;
  return settled > 0 ? c.delivered / settled : null;
}

/** spend is what the messages cost: charges less refunds, in micro-units. */
export function spend(c: Pick<Counts, 'charged' | 'refunded'>): number {
  return c.charged - c.refunded;
}

/** Trend is a change against the previous period, ready to show. */
export interface Trend {
  direction: 'up' | 'down' | 'flat';
  /** "+12%", "−3.5 pts", "new", "no change" */
  text: string;
  /** Whether the change is good news; null when neutral or unknown. */
  good: boolean | null;
}

const minus = '\u2212';

function signed(n: number, digits: number, unit: string): string {
  const s = Math.abs(n).toFixed(digits);
  return `${n > 0 ? '+' : n < 0 ? minus : ''}${s}${unit}`;
}

/**
 * trend compares cur with prev. Counts and money change relatively
 * ("+12%"); ratios (kind 'points') by percentage points. higherIsBetter
 * says which way is good news (undefined: neither).
 */
export function trend(
  cur: number | null,
  prev: number | null,
  opts: { kind?: 'relative' | 'points'; higherIsBetter?: boolean } = {},
): Trend | null {
  if (cur === null || prev === null) return null;
  const judge = (dir: 'up' | 'down' | 'flat') =>
    dir === 'flat' || opts.higherIsBetter === undefined ? null : (dir === 'up') === opts.higherIsBetter;
  if (opts.kind === 'points') {
    const pts = (cur - prev) * 100;
    if (Math.abs(pts) < 0.05) return { direction: 'flat', text: 'no change', good: null };
    const dir = pts > 0 ? 'up' : 'down';
    return { direction: dir, text: `${signed(pts, 1, ' pts')}`, good: judge(dir) };
  }
  if (cur === prev) return { direction: 'flat', text: 'no change', good: null };
  if (prev === 0) return { direction: 'up', text: 'new', good: judge('up') };
  const pct = ((cur - prev) / Math.abs(prev)) * 100;
  const dir = pct > 0 ? 'up' : 'down';
  return { direction: dir, text: signed(pct, Math.abs(pct) < 10 ? 1 : 0, '%'), good: judge(dir) };
}

/** A usage bucket as the day report gives it. */
export interface DayBucket extends Counts {
  key: string;
}

/**
 * byDay lays the report's day buckets over days (YYYY-MM-DD, in order):
 * a day without a bucket counts zero, a bucket outside the days is left out.
 */
export function byDay(buckets: readonly DayBucket[], days: readonly string[]): Counts[] {
  const m = new Map(buckets.map((b) => [b.key, b]));
  return days.map((d) => m.get(d) ?? zeroCounts);
}

/** sumCounts adds counts up. */
export function sumCounts(cs: readonly Counts[]): Counts {
  const t = { ...zeroCounts };
  for (const c of cs) {
    for (const k of Object.keys(t) as (keyof Counts)[]) t[k] += c[k];
  }
  return t;
}

/**
 * carryForward fills the gaps of a series (days without a value, such as
 * a delivery rate on a day nothing settled) with the last value before
 * them, or the first value after them at the start; all gaps stay 0.
 */
export function carryForward(values: readonly (number | null)[]): number[] {
  const first = values.find((v) => v !== null) ?? 0;
  let last = first;
  return values.map((v) => (v === null ? last : (last = v)));
}
