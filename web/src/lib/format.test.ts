import { describe, expect, it } from 'vitest';
import { formatCount, formatMoney, formatPercent } from './format';

describe('format', () => {
  it('shows micro-units as money', () => {
    expect(formatMoney(1_500_000, 'EUR')).toMatch(/1[.,]50/);
    expect(formatMoney(35_000, 'EUR')).toMatch(/0[.,]035/);
    expect(formatMoney(undefined)).toBe('–');
  });
  it('shows ratios and counts', () => {
    expect(formatPercent(0.9876)).toBe('98.8%');
    expect(formatPercent(null)).toBe('–');
    expect(formatCount(1234567).replace(/\D/g, '')).toBe('1234567');
  });
});
