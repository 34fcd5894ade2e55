// The Overview's periods: whole UTC days (the usage report's days are UTC),
// `from` inclusive and `until` exclusive, as the API takes them.

/** Period is a range of whole UTC days: from (inclusive) to until (exclusive), as YYYY-MM-DD. */
export interface Period {
  from: string;
  until: string;
  /** How many days it spans. */
  days: number;
}

/** The preset lengths the page offers. */
export const presets = [7, 30, 90] as const;
export type Preset = (typeof presets)[number];

/** The longest range the usage report takes. */
export const maxDays = 366;

const dayMs = 86_400_000;

/** isoDay is the UTC date of t as YYYY-MM-DD. */
export function isoDay(t: Date | number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** parseDay reads YYYY-MM-DD as UTC midnight (ms), or null when it is not a real date. */
export function parseDay(s: string | null | undefined): number | null {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) || isoDay(t) !== s ? null : t;
}

/** addDays moves a YYYY-MM-DD date by n days. */
export function addDays(day: string, n: number): string {
  return isoDay((parseDay(day) ?? 0) + n * dayMs);
}

/** presetPeriod is the last n days, today (UTC) included. */
export function presetPeriod(n: number, now: Date = new Date()): Period {
  const until = addDays(isoDay(now), 1);
  return { from: addDays(until, -n), until, days: n };
}

/**
 * customPeriod is the days from `first` to `last`, both included, or a
 * message saying why the range cannot be shown.
 */
export function customPeriod(first: string, last: string): Period | { error: string } {
  const a = parseDay(first);
  const b = parseDay(last);
  if (a === null || b === null) return { error: 'Pick both dates.' };
  if (b < a) return { error: 'The end date is before the start date.' };
  const days = Math.round((b - a) / dayMs) + 1;
  if (days > maxDays) return { error: `A range covers at most ${maxDays} days.` };
  return { from: first, until: addDays(last, 1), days };
}

/** previousPeriod is the period of the same length just before p. */
export function previousPeriod(p: Period): Period {
  return { from: addDays(p.from, -p.days), until: p.from, days: p.days };
}

/** daysOf lists p's days in order. */
export function daysOf(p: Period): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.days; i++) out.push(addDays(p.from, i));
  return out;
}

/** PeriodChoice is what the page's URL says: a preset, or a custom range. */
export type PeriodChoice = { preset: Preset } | { first: string; last: string };

/** choiceFromParams reads ?days=7|30|90 or ?first=&last= (default: 30 days). */
export function choiceFromParams(params: URLSearchParams): PeriodChoice {
  const first = params.get('first');
  const last = params.get('last');
  if (first && last) return { first, last };
  const n = Number(params.get('days'));
  return { preset: (presets as readonly number[]).includes(n) ? (n as Preset) : 30 };
}

/** periodOf turns a choice into a period (or the reason it is not one). */
export function periodOf(c: PeriodChoice, now: Date = new Date()): Period | { error: string } {
  return 'preset' in c ? presetPeriod(c.preset, now) : customPeriod(c.first, c.last);
}

/** describePeriod says in words what the cards cover. */
export function describePeriod(c: PeriodChoice, p: Period): string {
  if ('preset' in c) return `The last ${c.preset} days, against the ${c.preset} days before`;
  return `${p.from} to ${addDays(p.until, -1)} (${p.days} day${p.days === 1 ? '' : 's'}), against the ${p.days} days before`;
}
