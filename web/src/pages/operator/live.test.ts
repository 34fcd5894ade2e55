import { describe, expect, it } from 'vitest';
import { bindColour, fill, forHowLong, formatRate } from './live';

describe('live figures', () => {
  it('colours bind states', () => {
    expect(bindColour('bound')).toBe('success');
    expect(bindColour('connecting')).toBe('warning');
    expect(bindColour('down')).toBe('error');
  });
  it('shows rates, and none before one is measured', () => {
    expect(formatRate(null)).toBe('–');
    expect(formatRate(undefined)).toBe('–');
    expect(formatRate(0)).toBe('0.0/s');
    expect(formatRate(2.25)).toBe('2.3/s');
    expect(formatRate(212.5)).toMatch(/^21[23]\/s$/);
  });
  it('bounds fills', () => {
    expect(fill(5, 10)).toBe(50);
    expect(fill(20, 10)).toBe(100);
    expect(fill(1, 0)).toBe(0);
  });
  it('says how long a state has lasted', () => {
    const now = Date.parse('2026-06-01T10:00:00Z');
    expect(forHowLong('2026-06-01T09:59:30Z', now)).toBe('for 30 s');
    expect(forHowLong('2026-06-01T09:55:00Z', now)).toBe('for 5 min');
    expect(forHowLong('2026-06-01T07:00:00Z', now)).toBe('for 3 h');
    expect(forHowLong('2026-05-29T10:00:00Z', now)).toBe('for 3 d');
    expect(forHowLong(null, now)).toBe('');
  });
});
