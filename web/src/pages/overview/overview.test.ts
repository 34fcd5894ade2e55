import { describe, expect, it } from 'vitest';
import { addDays, choiceFromParams, customPeriod, daysOf, describePeriod, parseDay, periodOf, presetPeriod, previousPeriod } from './period';
import { byDay, carryForward, deliveryRate, spend, sumCounts, trend, zeroCounts } from './trend';
import { countryName } from './countries';
import { balanceWarning, parseUnits } from './balance';

describe('period', () => {
  const now = new Date('2026-12-07T21:30:00Z');

  it('presets end today, UTC, and span n days', () => {
    expect(presetPeriod(7, now)).toEqual({ from: '2026-12-01', until: '2026-12-08', days: 7 });
    const p = presetPeriod(30, now);
    expect(daysOf(p)).toHaveLength(30);
    expect(daysOf(p)[0]).toBe('2026-11-08');
    expect(daysOf(p)[29]).toBe('2026-12-07');
  });

  it('the previous period is as long and ends where the period starts', () => {
    expect(previousPeriod(presetPeriod(7, now))).toEqual({ from: '2026-11-24', until: '2026-12-01', days: 7 });
  });

  it('custom ranges include both ends and are checked', () => {
    expect(customPeriod('2026-02-27', '2026-03-01')).toEqual({ from: '2026-02-27', until: '2026-03-02', days: 3 });
    expect(customPeriod('2026-03-01', '2026-03-01')).toEqual({ from: '2026-03-01', until: '2026-03-02', days: 1 });
    expect(customPeriod('2026-03-02', '2026-03-01')).toEqual({ error: 'The end date is before the start date.' });
    expect(customPeriod('2026-02-30', '2026-03-01')).toEqual({ error: 'Pick both dates.' });
    expect(customPeriod('2025-01-01', '2026-01-02')).toHaveProperty('error');
    expect(customPeriod('2025-01-01', '2026-01-01')).toHaveProperty('days', 366);
  });

  it('days cross months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(parseDay('2026-13-01')).toBeNull();
  });

  it('reads the URL', () => {
    expect(choiceFromParams(new URLSearchParams('days=7'))).toEqual({ preset: 7 });
    expect(choiceFromParams(new URLSearchParams('days=12'))).toEqual({ preset: 30 });
    expect(choiceFromParams(new URLSearchParams(''))).toEqual({ preset: 30 });
    const c = choiceFromParams(new URLSearchParams('first=2026-05-01&last=2026-05-31'));
    expect(c).toEqual({ first: '2026-05-01', last: '2026-05-31' });
    const p = periodOf(c, now);
    expect(p).toEqual({ from: '2026-05-01', until: '2026-06-01', days: 31 });
    expect(describePeriod(c, p as never)).toBe('2026-05-01 to 2026-05-31 (31 days), against the 31 days before');
    expect(describePeriod({ preset: 90 }, presetPeriod(90, now))).toBe('The last 90 days, against the 90 days before');
  });
});

describe('trend', () => {
  it('relative changes, judged by direction', () => {
    expect(trend(120, 100, { higherIsBetter: true })).toEqual({ direction: 'up', text: '+20%', good: true });
    expect(trend(95, 100, { higherIsBetter: true })).toEqual({ direction: 'down', text: '\u22125.0%', good: false });
    expect(trend(12, 10, { higherIsBetter: false })).toEqual({ direction: 'up', text: '+20%', good: false });
    expect(trend(5, 5)).toEqual({ direction: 'flat', text: 'no change', good: null });
    expect(trend(3, 0, { higherIsBetter: true })).toEqual({ direction: 'up', text: 'new', good: true });
    expect(trend(0, 0)).toEqual({ direction: 'flat', text: 'no change', good: null });
    expect(trend(0, 4)).toEqual({ direction: 'down', text: '\u2212100%', good: null });
  });

  it('ratios change by points; unknown ratios have no trend', () => {
    expect(trend(0.98, 0.95, { kind: 'points', higherIsBetter: true })).toEqual({ direction: 'up', text: '+3.0 pts', good: true });
    expect(trend(0.9, 0.95, { kind: 'points', higherIsBetter: true })?.good).toBe(false);
    expect(trend(0.95, 0.95, { kind: 'points' })?.direction).toBe('flat');
    expect(trend(null, 0.95, { kind: 'points' })).toBeNull();
  });

  it('delivery rate counts settled messages only; spend nets refunds', () => {
    expect(deliveryRate({ delivered: 9, failed: 1 })).toBe(0.9);
    expect(deliveryRate({ delivered: 0, failed: 0 })).toBeNull();
    expect(spend({ charged: 50_000, refunded: 10_000 })).toBe(40_000);
  });

  it('carries a series over days without a value', () => {
    expect(carryForward([null, 0.5, null, null, 1, null])).toEqual([0.5, 0.5, 0.5, 0.5, 1, 1]);
    expect(carryForward([null, null])).toEqual([0, 0]);
  });

  it('lays day buckets over every day of the period', () => {
    const days = ['2026-12-05', '2026-12-06', '2026-12-07'];
    const b = { ...zeroCounts, key: '2026-12-06', messages: 4, delivered: 3, failed: 1 };
    const out = byDay([b, { ...zeroCounts, key: '2026-11-01', messages: 9 }], days);
    expect(out.map((c) => c.messages)).toEqual([0, 4, 0]);
    expect(sumCounts(out)).toMatchObject({ messages: 4, delivered: 3, failed: 1 });
  });
});

describe('countryName', () => {
  it('names common codes, shared ones together, unknown ones by code', () => {
    expect(countryName('44')).toBe('United Kingdom');
    expect(countryName('353')).toBe('Ireland');
    expect(countryName('49')).toBe('Germany');
    expect(countryName('1')).toMatch(/United States/);
    expect(countryName('999')).toBe('+999');
  });
});

describe('balance warning', () => {
  it('reads decimal thresholds as micro-units', () => {
    expect(parseUnits('5.000000')).toBe(5_000_000);
    expect(parseUnits('0.5')).toBe(500_000);
    expect(parseUnits('12')).toBe(12_000_000);
    expect(parseUnits('abc')).toBeNull();
  });

  it('uses the account threshold when set', () => {
    expect(balanceWarning(4_000_000, 0, 5_000_000)).toMatchObject({ low: true, rule: 'threshold', limit: 5_000_000 });
    expect(balanceWarning(6_000_000, 0, 5_000_000)).toMatchObject({ low: false, rule: 'threshold' });
  });

  it('else warns below a week of spend, or one unit', () => {
    // 2 units a day: 14 units cover a week.
    expect(balanceWarning(13_000_000, 2_000_000, 0)).toMatchObject({ low: true, rule: 'fixed', limit: 14_000_000, daysLeft: 6.5 });
    expect(balanceWarning(15_000_000, 2_000_000, null)).toMatchObject({ low: false });
    expect(balanceWarning(900_000, 0, null)).toMatchObject({ low: true, limit: 1_000_000, daysLeft: null });
    expect(balanceWarning(100_000_000, 0, null).low).toBe(false);
  });
});
