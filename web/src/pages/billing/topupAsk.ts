// The top-up request form, validated as POST /v1/topup-requests does.

const amountRe = /^[0-9]+(\.[0-9]{1,6})?$/;

/** askAmountError says what is wrong with an amount such as "25.50" (undefined: nothing). */
export function askAmountError(v: string): string | undefined {
  const s = v.trim();
  if (s === '') return 'Enter an amount, such as 25.50';
  if (!amountRe.test(s)) return 'Use digits and a dot, at most six decimals (25.50)';
  if (toMicros(s) <= 0) return 'The amount must be more than zero';
  return undefined;
}

/** toMicros turns "25.50" into micro-units (25500000) without floating-point rounding. */
export function toMicros(s: string): number {
  const [whole, frac = ''] = s.trim().split('.');
  return Number(whole) * 1_000_000 + Number((frac + '000000').slice(0, 6));
}

/** noteError checks the note: at most 255 bytes. */
export function noteError(v: string): string | undefined {
  return new TextEncoder().encode(v.trim()).length > 255 ? 'At most 255 bytes' : undefined;
}

/** askStatusLabel names a request's status. */
export function askStatusLabel(s: string): string {
  switch (s) {
    case 'pending':
      return 'Pending';
    case 'topped_up':
      return 'Topped up';
    case 'declined':
      return 'Declined';
    default:
      return s;
  }
}
