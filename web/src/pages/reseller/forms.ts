// Validation of the reseller's forms, as the API validates them
// (api/openapi/accounts.json), so a mistake is shown before the call.

import { isDecimalAmount } from '../../lib/amount';

/** A destination prefix: 1 to 15 E.164 digits. */
const prefixRe = /^[0-9]{1,15}$/;

/** nameError checks an account or plan name (1 to 100 characters). */
export function nameError(v: string): string | undefined {
  const s = v.trim();
  if (s === '') return 'Enter a name';
  if (s.length > 100) return 'At most 100 characters';
  return undefined;
}

/** currencyError checks an ISO 4217 code. */
export function currencyError(v: string): string | undefined {
  return /^[A-Z]{3}$/.test(v) ? undefined : 'Three capital letters, such as EUR';
}

/** PriceRow is one line of a plan form. */
export interface PriceRow {
  prefix: string;
  price: string;
}

/**
 * priceErrors checks a plan's prices: at least one, each prefix 1 to 15
 * digits (a leading + is dropped) and given once, each price a decimal
 * amount (zero allowed). It returns one message per row (undefined when
 * fine) and a message for the list as a whole.
 */
export function priceErrors(rows: PriceRow[]): { rows: (string | undefined)[]; list?: string } {
  const seen = new Set<string>();
  const out = rows.map((r) => {
    const p = r.prefix.trim().replace(/^\+/, '');
    if (!prefixRe.test(p)) return 'Prefix: 1 to 15 digits, such as 44';
    if (seen.has(p)) return `Prefix ${p} is given twice`;
    seen.add(p);
    const price = r.price.trim();
    if (!isDecimalAmount(price)) return 'Price: a decimal amount such as 0.035';
    return undefined;
  });
  return { rows: out, list: rows.length === 0 ? 'Add at least one price' : undefined };
}

/** cleanPrices gives the rows as the API takes them. */
export function cleanPrices(rows: PriceRow[]): PriceRow[] {
  return rows.map((r) => ({ prefix: r.prefix.trim().replace(/^\+/, ''), price: r.price.trim() }));
}

/** isoDate is a date as YYYY-MM-DD (UTC), the report ranges' form. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** defaultPeriod is the last 30 days up to and including today (UTC): until is tomorrow. */
export function defaultPeriod(now = new Date()): { from: string; until: string } {
  const day = 24 * 60 * 60 * 1000;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { from: isoDate(new Date(today - 29 * day)), until: isoDate(new Date(today + day)) };
}

/** periodError checks a report range: both dates, from before until, at most 366 days. */
export function periodError(from: string, until: string): string | undefined {
  if (!from || !until) return 'Choose both dates';
  const a = Date.parse(from);
  const b = Date.parse(until);
  if (Number.isNaN(a) || Number.isNaN(b)) return 'Choose both dates';
  if (a >= b) return 'The start must come before the end';
  if (b - a > 366 * 24 * 60 * 60 * 1000) return 'A report covers at most 366 days';
  return undefined;
}
