import { describe, expect, it } from 'vitest';
import { describeCount } from './smsCount';

describe('describeCount', () => {
  it('says the length, segments, encoding and room left', () => {
    expect(describeCount('Hello')).toBe('5 characters · 1 segment (GSM-7) · 155 left');
    expect(describeCount('a'.repeat(161))).toBe('161 characters · 2 segments (GSM-7) · 145 left');
    expect(describeCount('Zoë ✓')).toBe('5 UCS-2 characters · 1 segment (UCS-2) · 65 left');
    expect(describeCount('a'.repeat(1531))).toMatch(/11 segments .* too long: at most 10 segments$/);
  });
});
