import { describe, expect, it } from 'vitest';
import { csvNumbers, csvRows, normalizePhone, parseNumbers, senderProblem } from './numbers';

describe('normalizePhone (contact.NormalizePhone and the send path)', () => {
  it.each([
    ['+44 7700 900123', '', '+447700900123'],
    ['0044 7700-900123', '', '+447700900123'],
    ['447700900123', '', '+447700900123'],
    ['+1 (415) 555.0100', '', '+14155550100'],
    ['07700 900123', 'GB', '+447700900123'],
    ['07700 900123', 'gb', '+447700900123'],
    ['7700900123', 'GB', '+447700900123'],
    ['447700900123', 'GB', '+447700900123'],
    ['+33 6 12 34 56 78', 'GB', '+33612345678'],
  ])('%j with default country %j is %j', (raw, country, want) => {
    expect(normalizePhone(raw, country)).toEqual({ ok: true, e164: want });
  });

  it.each([
    ['07700 900123', '', /national/],
    ['+44 7700', '', /E\.164/],
    ['12', '', /E\.164/],
    ['+1234567890123456', '', /E\.164/],
    ['+0447700900123', '', /E\.164/],
    ['call me', '', /not a phone number/],
    ['(+1) 415 555 0100', '', /not a phone number/],
    ['+44 7700 900123 ext 4', '', /not a phone number/],
    ['07700 900123', 'XX', /no calling code/],
  ])('%j with default country %j is refused', (raw, country, reason) => {
    const n = normalizePhone(raw, country);
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.reason).toMatch(reason);
  });
});

describe('parseNumbers', () => {
  it('reads one a line or comma separated, deduplicates and flags the invalid', () => {
    const p = parseNumbers('+447700900001, +447700900002\n+44 7700 900001\n\nnope;+447700900003\r\n12', '');
    expect(p.valid).toEqual(['+447700900001', '+447700900002', '+447700900003']);
    expect(p.duplicates).toBe(1);
    expect(p.invalid.map((i) => i.raw)).toEqual(['nope', '12']);
    expect(p.invalid[0].reason).toMatch(/not a phone number/);
  });
  it('uses the default country for national numbers and dedupes across forms', () => {
    const p = parseNumbers('07700900001\n+447700900001\n0044 7700 900001', 'GB');
    expect(p.valid).toEqual(['+447700900001']);
    expect(p.duplicates).toBe(2);
    expect(p.invalid).toEqual([]);
  });
  it('is empty for blank text', () => {
    expect(parseNumbers(' \n , ')).toEqual({ valid: [], invalid: [], duplicates: 0 });
  });
});

describe('CSV', () => {
  it('splits quoted fields, doubled quotes and CRLF', () => {
    expect(csvRows('a,"b, c","say ""hi"""\r\n1,2,3\n\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });
  it('takes semicolons when the first line uses them', () => {
    expect(csvRows('name;phone\nAnn;+447700900001')).toEqual([
      ['name', 'phone'],
      ['Ann', '+447700900001'],
    ]);
  });
  it('takes the column named phone, number or to', () => {
    expect(csvNumbers('name,Phone,city\nAnn,+447700900001,Leeds\nBob,+447700900002,York\n')).toEqual({
      column: 'Phone',
      numbers: ['+447700900001', '+447700900002'],
    });
    expect(csvNumbers('\uFEFFto;name\n+447700900001;Ann').numbers).toEqual(['+447700900001']);
  });
  it('else the first column, skipping a header row', () => {
    expect(csvNumbers('mobile,name\n+447700900001,Ann\n+447700900002,Bob').numbers).toEqual(['+447700900001', '+447700900002']);
    expect(csvNumbers('+447700900001\n+447700900002').numbers).toEqual(['+447700900001', '+447700900002']);
    expect(csvNumbers('')).toEqual({ column: 'first column', numbers: [] });
  });
});

describe('senderProblem (gateway.AutoSource)', () => {
  const septets = (s: string) => (/^[ -~]*$/.test(s) && !s.includes('`') ? s.length : null);
  it.each(['', 'Gallant', '+447700900123', '447700900123', '60123', '123', 'Shop 24', 'ABCDEFGHIJK'])('%j is a sender', (s) => {
    expect(senderProblem(s, septets)).toBeUndefined();
  });
  it.each([
    ['12', /short code/],
    ['+12345', /7 to 15/],
    ['1234567890123456', /7 to 15/],
    ['ABCDEFGHIJKL', /11 GSM/],
    ['Caf`', /11 GSM/],
  ])('%j is refused', (s, why) => {
    expect(senderProblem(s, septets)).toMatch(why);
  });
});
