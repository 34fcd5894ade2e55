import { describe, expect, it } from 'vitest';
import { headText, mappingProblem, mappingTargets, parseCSV, targetLabel } from './csv';

describe('parseCSV', () => {
  it('reads quotes, escaped quotes, commas in quotes and CRLF', () => {
    const rows = parseCSV('phone,name,note\r\n+447700900001,"Lee, Ann","said ""hi"""\r\n07700 900002,Bob,\r\n');
    expect(rows).toEqual([
      ['phone', 'name', 'note'],
      ['+447700900001', 'Lee, Ann', 'said "hi"'],
      ['07700 900002', 'Bob', ''],
    ]);
  });
  it('stops at maxRows and keeps a last line without newline', () => {
    expect(parseCSV('a\nb\nc\nd', 2)).toEqual([['a'], ['b']]);
    expect(parseCSV('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });
  it('skips blank lines', () => {
    expect(parseCSV('a\n\nb\n')).toEqual([['a'], ['b']]);
  });
});

describe('headText', () => {
  it('cuts at the last whole line within the limit', () => {
    expect(headText('ab\ncd\nef\n', 7)).toBe('ab\ncd\n');
    expect(headText('short', 100)).toBe('short');
  });
});

describe('mapping', () => {
  it('offers standard targets, declared and guessed custom fields, then skip', () => {
    const t = mappingTargets(['tier'], ['phone', 'field.loyalty_tier', 'field.tier']);
    expect(t.slice(0, 7)).toEqual(['phone', 'first_name', 'last_name', 'email', 'language', 'time_zone', 'tags']);
    expect(t).toContain('field.tier');
    expect(t).toContain('field.loyalty_tier');
    expect(t.filter((x) => x === 'field.tier')).toHaveLength(1);
    expect(t[t.length - 1]).toBe('-');
  });
  it('wants phone exactly once and no target twice', () => {
    expect(mappingProblem(['first_name', '-'])).toMatch(/phone/);
    expect(mappingProblem(['phone', 'phone'])).toMatch(/Only one/);
    expect(mappingProblem(['phone', 'email', 'email'])).toMatch(/Two columns/);
    expect(mappingProblem(['phone', '-', '-', 'field.tier'])).toBeNull();
  });
  it('labels targets', () => {
    expect(targetLabel('first_name')).toBe('First name');
    expect(targetLabel('field.tier')).toBe('Custom field tier');
    expect(targetLabel('-')).toBe('Skip this column');
  });
});

import { plusPhone, splitNumbers } from './phones';

describe('numbers', () => {
  it('splits pasted numbers and shows stored phones with a plus', () => {
    expect(splitNumbers('+447700900001\n07700 900002, 447700900003;\n\n')).toEqual(['+447700900001', '07700 900002', '447700900003']);
    expect(plusPhone('447700900001')).toBe('+447700900001');
    expect(plusPhone('+1')).toBe('+1');
  });
});

import { normalizeMapping } from './csv';

describe('normalizeMapping', () => {
  it('writes skipped columns as -', () => {
    expect(normalizeMapping(['phone', '', 'field.tier'])).toEqual(['phone', '-', 'field.tier']);
    expect(normalizeMapping(undefined)).toEqual([]);
  });
});
