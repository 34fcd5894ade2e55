import { describe, expect, it } from 'vitest';
import { cleanPrices, currencyError, defaultPeriod, nameError, periodError, priceErrors } from './forms';

describe('names and currencies', () => {
  it('needs a name of at most 100 characters', () => {
    expect(nameError('  ')).toBeTruthy();
    expect(nameError('a'.repeat(101))).toBeTruthy();
    expect(nameError('Shop')).toBeUndefined();
  });
  it('takes ISO 4217 codes', () => {
    expect(currencyError('EUR')).toBeUndefined();
    expect(currencyError('eur')).toBeTruthy();
    expect(currencyError('EURO')).toBeTruthy();
  });
});

describe('priceErrors', () => {
  it('checks each row and the list', () => {
    const r = priceErrors([
      { prefix: '+44', price: '0.05' },
      { prefix: '44', price: '0.04' },
      { prefix: '1234567890123456', price: '1' },
      { prefix: '1', price: 'free' },
      { prefix: '353', price: '0' },
    ]);
    expect(r.rows[0]).toBeUndefined();
    expect(r.rows[1]).toMatch(/twice/);
    expect(r.rows[2]).toMatch(/Prefix/);
    expect(r.rows[3]).toMatch(/Price/);
    expect(r.rows[4]).toBeUndefined();
    expect(r.list).toBeUndefined();
    expect(priceErrors([]).list).toBeTruthy();
  });
  it('cleans rows for the API', () => {
    expect(cleanPrices([{ prefix: ' +44 ', price: ' 0.05 ' }])).toEqual([{ prefix: '44', price: '0.05' }]);
  });
});

describe('periods', () => {
  it('defaults to the last 30 days, today included', () => {
    expect(defaultPeriod(new Date('2026-06-15T18:30:00Z'))).toEqual({ from: '2026-05-17', until: '2026-06-16' });
  });
  it('checks the order and the length', () => {
    expect(periodError('2026-06-01', '2026-07-01')).toBeUndefined();
    expect(periodError('2026-07-01', '2026-06-01')).toBeTruthy();
    expect(periodError('2025-01-01', '2026-06-01')).toBeTruthy();
    expect(periodError('', '2026-06-01')).toBeTruthy();
  });
});
