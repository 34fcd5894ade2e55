import { describe, expect, it } from 'vitest';
import { limitProblem, parseCidrs, smppPasswordProblem, systemIdProblem } from './smpp';

describe('SMPP credential form', () => {
  it('splits ranges on commas, spaces and lines', () => {
    expect(parseCidrs(' 10.0.0.0/8,192.0.2.1\n2001:db8::/32  ')).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
    expect(parseCidrs('')).toEqual([]);
  });
  it('checks limits like the API', () => {
    expect(limitProblem('', 1000)).toBeUndefined();
    expect(limitProblem('0', 1000)).toBeUndefined();
    expect(limitProblem('1000', 1000)).toBeUndefined();
    expect(limitProblem('1001', 1000)).toBeDefined();
    expect(limitProblem('-1', 1000)).toBeDefined();
    expect(limitProblem('2.5', 1000)).toBeDefined();
  });
  it('checks system ids and passwords', () => {
    expect(systemIdProblem('')).toBe('required');
    expect(systemIdProblem('abcdefghijklmnop')).toBeDefined();
    expect(systemIdProblem('client1')).toBeUndefined();
    expect(smppPasswordProblem('123456789')).toBeDefined();
    expect(smppPasswordProblem('')).toBeUndefined();
  });
});
