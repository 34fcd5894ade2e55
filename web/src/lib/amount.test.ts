import { describe, expect, it } from 'vitest';
import { amountError, toMicros } from './amount';

describe('amountError', () => {
  it('takes what the API takes', () => {
    for (const ok of ['1', '25.50', '0.000001', ' 10 ']) expect(amountError(ok)).toBeUndefined();
  });
  it('refuses what the API refuses, and zero', () => {
    for (const bad of ['', 'abc', '1,5', '1.1234567', '-5', '.5', '0', '0.000']) expect(amountError(bad)).toBeTruthy();
  });
  it('allows an empty optional amount', () => {
    expect(amountError('', true)).toBeUndefined();
    expect(amountError('x', true)).toBeTruthy();
  });
});

describe('toMicros', () => {
  it('converts amounts to micro-units exactly', () => {
    expect(toMicros('25.50')).toBe(25_500_000);
    expect(toMicros('0.000001')).toBe(1);
    expect(toMicros('7')).toBe(7_000_000);
  });
});
