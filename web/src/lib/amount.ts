// Amounts of money typed into forms as the API takes them: currency units
// with at most six decimals ("25.50").

const amountRe = /^[0-9]+(\.[0-9]{1,6})?$/;

/** isDecimalAmount reports whether s (trimmed) is written as the API takes amounts: digits, a dot, at most six decimals. */
export function isDecimalAmount(s: string): boolean {
  return amountRe.test(s.trim());
}

/** amountError says what is wrong with a positive amount such as "25.50" (undefined: nothing; optional: "" is fine). */
export function amountError(v: string, optional = false): string | undefined {
  const s = v.trim();
  if (s === '') return optional ? undefined : 'Enter an amount, such as 25.50';
  if (!isDecimalAmount(s)) return 'Use digits and a dot, at most six decimals (25.50)';
  if (toMicros(s) <= 0) return 'The amount must be more than zero';
  return undefined;
}

/** toMicros turns "25.50" into micro-units (25500000) without floating-point rounding. */
export function toMicros(s: string): number {
  const [whole, frac = ''] = s.trim().split('.');
  return Number(whole) * 1_000_000 + Number((frac + '000000').slice(0, 6));
}
