// Months of statements: yyyy-mm in UTC, as the statement routes take them.

/** monthOf is the yyyy-mm (UTC) of a time. */
export function monthOf(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** recentMonths lists n months ending with the one in progress, newest first. */
export function recentMonths(now: Date, n: number): string[] {
  const out: string[] = [];
  let y = now.getUTCFullYear();
  let m = now.getUTCMonth();
  for (let i = 0; i < n; i++) {
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    m--;
    if (m < 0) {
      m = 11;
      y--;
    }
  }
  return out;
}

/** monthLabel shows yyyy-mm as "December 2026". */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return month;
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** ledgerKindLabel names a ledger row's kind for people. */
export function ledgerKindLabel(kind: string): string {
  const labels: Record<string, string> = {
    topup: 'Top-up',
    adjustment: 'Adjustment',
    charge: 'Charge',
    refund: 'Refund',
    lease: 'Credit held',
    release: 'Credit released',
  };
  return labels[kind] ?? kind;
}
