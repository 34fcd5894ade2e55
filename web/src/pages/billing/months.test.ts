import { describe, expect, it } from 'vitest';
import { ledgerKindLabel, monthOf, recentMonths } from './months';

describe('statement months', () => {
  it('counts back across a year in UTC', () => {
    expect(recentMonths(new Date('2026-02-15T00:00:00Z'), 4)).toEqual(['2026-02', '2026-01', '2025-12', '2025-11']);
    expect(monthOf(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01');
  });
  it('names ledger kinds', () => {
    expect(ledgerKindLabel('topup')).toBe('Top-up');
    expect(ledgerKindLabel('lease')).toBe('Credit held');
    expect(ledgerKindLabel('something')).toBe('something');
  });
});
