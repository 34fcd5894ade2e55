import { describe, expect, it } from 'vitest';
import { smsCount } from './smsCount';

describe('smsCount', () => {
  it('counts GSM-7 septets, extension characters twice', () => {
    expect(smsCount('Hello')).toEqual({ encoding: 'gsm7', units: 5, segments: 1, remaining: 155 });
    expect(smsCount('€[]').units).toBe(6);
    expect(smsCount('a'.repeat(160)).segments).toBe(1);
    expect(smsCount('a'.repeat(161))).toMatchObject({ segments: 2, remaining: 145 });
  });
  it('falls back to UCS-2 for other characters', () => {
    expect(smsCount('Zoë ✓')).toMatchObject({ encoding: 'ucs2', units: 5, segments: 1 });
    expect(smsCount('✓'.repeat(71))).toMatchObject({ encoding: 'ucs2', segments: 2, remaining: 63 });
    expect(smsCount('😀').units).toBe(2);
  });
});
