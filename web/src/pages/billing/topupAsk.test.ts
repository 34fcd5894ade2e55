import { describe, expect, it } from 'vitest';
import { askAmountError, askStatusLabel, noteError, toMicros } from './topupAsk';

describe('top-up request form', () => {
  it('converts amounts to micro-units exactly', () => {
    expect(toMicros('25.50')).toBe(25_500_000);
    expect(toMicros('0.000001')).toBe(1);
    expect(toMicros('7')).toBe(7_000_000);
  });
  it('validates like the API', () => {
    expect(askAmountError('')).toBeTruthy();
    expect(askAmountError('0')).toBeTruthy();
    expect(askAmountError('1.1234567')).toBeTruthy();
    expect(askAmountError('abc')).toBeTruthy();
    expect(askAmountError('25.50')).toBeUndefined();
    expect(noteError('x'.repeat(256))).toBeTruthy();
    expect(noteError('for May')).toBeUndefined();
  });
  it('labels statuses', () => {
    expect(askStatusLabel('topped_up')).toBe('Topped up');
    expect(askStatusLabel('pending')).toBe('Pending');
  });
});
