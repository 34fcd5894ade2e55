// The cases of the Go tests in smpp/pdutext (count_test.go, gsm7_test.go),
// so the dashboard's counter and the gateway agree.
import { describe, expect, it } from 'vitest';
import {
  countText, gsm7Septets, gsm7Weight, gsmDefaultTable, GSM7_EXTENSION_COUNT, runs, ucs2Characters, type Count,
} from './sms';

const a = (n: number) => 'a'.repeat(n);
const ru = (n: number) => 'ж'.repeat(n);
const wave = '👋';
const gsm = (units: number, segments: number, perSegment: number): Count => ({ encoding: 'gsm7', units, segments, perSegment });
const ucs = (units: number, segments: number, perSegment: number): Count => ({ encoding: 'ucs2', units, segments, perSegment });

describe('countText (Go TestCountTextBoundaries)', () => {
  const cases: [string, string, Count][] = [
    ['empty', '', gsm(0, 1, 160)],
    ['gsm 160', a(160), gsm(160, 1, 160)],
    ['gsm 161', a(161), gsm(161, 2, 153)],
    ['gsm 153x2', a(306), gsm(306, 2, 153)],
    ['gsm 153x2+1', a(307), gsm(307, 3, 153)],
    ['gsm 153x3', a(459), gsm(459, 3, 153)],
    ['ext fits 160', a(158) + '€', gsm(160, 1, 160)],
    ['ext pushes to 161', a(159) + '€', gsm(161, 2, 153)],
    ['ext at 160 boundary', a(159) + '{', gsm(161, 2, 153)],
    ['ext straddles 153, fits', a(152) + '€' + a(151), gsm(305, 2, 153)],
    ['ext straddles 153, spills', a(152) + '€' + a(152), gsm(306, 3, 153)],
    ['ext ends segment', a(151) + '€' + a(153), gsm(306, 2, 153)],
    ['ucs2 70', ru(70), ucs(70, 1, 70)],
    ['ucs2 71', ru(71), ucs(71, 2, 67)],
    ['ucs2 67x2', ru(134), ucs(134, 2, 67)],
    ['ucs2 67x2+1', ru(135), ucs(135, 3, 67)],
    ['emoji fits 70', a(68) + wave, ucs(70, 1, 70)],
    ['emoji pushes to 71', a(69) + wave, ucs(71, 2, 67)],
    ['emoji straddles 67, fits', a(66) + wave + a(65), ucs(133, 2, 67)],
    ['emoji straddles 67, spills', a(66) + wave + a(66), ucs(134, 3, 67)],
    ['one emoji', wave, ucs(2, 1, 70)],
    // Go: invalid UTF-8 counts one unit; a JS string's equivalent is a lone surrogate.
    ['lone surrogate counts one unit', 'a\uD800', ucs(2, 1, 70)],
  ];
  it.each(cases)('%s', (_name, s, want) => {
    expect(countText(s)).toEqual(want);
  });

  // Go TestCountEncodedMatchesCountText's texts, with the counts Go's CountText gives.
  it('counts runs of extension characters and emoji like Go', () => {
    expect(countText('{'.repeat(80))).toEqual(gsm(160, 1, 160));
    expect(countText('{'.repeat(81))).toEqual(gsm(162, 2, 153));
    expect(countText(ru(66) + wave + ru(66))).toEqual(ucs(134, 3, 67));
    expect(countText(wave.repeat(35))).toEqual(ucs(70, 1, 70));
    expect(countText(wave.repeat(36))).toEqual(ucs(72, 2, 67));
  });
});

describe('gsm7Septets (Go TestGSM7Septets)', () => {
  const cases: [string, number | null][] = [
    ['', 0],
    ['hello', 5],
    ['5€', 3],
    ['{}', 4],
    ['ç', null],
    ['a\uD800', null],
  ];
  it.each(cases)('%j', (s, want) => {
    expect(gsm7Septets(s)).toBe(want);
  });

  // Go TestEncodeGSM7Vectors: every text there is GSM; its septets are the unpacked octets.
  it.each([
    ['Hello @ 5€', 11],
    ['see you', 7],
    ['$¤_¡¿', 5],
    ['{}[]\\^~|\f', 18],
    ['ΔΦΓΛΩΠΨΣΘΞ', 10],
    ['a\r\nb', 4],
  ])('vector %j is %d septets', (s, n) => {
    expect(gsm7Septets(s)).toBe(n);
  });

  // Go TestEncodeGSM7Unrepresentable.
  it.each(['façade', 'ok`', 'hi 👋', 'Привет'])('%j is not GSM', (s) => {
    expect(gsm7Septets(s)).toBeNull();
    expect(countText(s).encoding).toBe('ucs2');
  });
});

describe('the GSM tables (Go TestGSM7TableRoundTrip)', () => {
  it('has 127 default characters of one septet and 10 extension characters of two', () => {
    const table = gsmDefaultTable();
    expect(table).toHaveLength(128);
    expect(table[0x1b]).toBeNull();
    for (const c of table) if (c !== null) expect(gsm7Weight(c)).toBe(1);
    expect(new Set(table.filter((c) => c !== null)).size).toBe(127);
    expect(GSM7_EXTENSION_COUNT).toBe(10);
    for (const c of '\f^{}\\[~]|€') expect(gsm7Weight(c)).toBe(2);
  });
  it('maps exactly: ç is not folded to Ç, ` and smart quotes are not GSM', () => {
    expect(gsm7Weight('Ç')).toBe(1);
    expect(gsm7Weight('ç')).toBe(0);
    expect(gsm7Weight('`')).toBe(0);
    expect(gsm7Weight('’')).toBe(0);
    expect(gsm7Weight('\t')).toBe(0);
  });
});

describe('highlighting', () => {
  it('cuts the text into GSM and UCS-2 runs', () => {
    expect(runs('Hi Zoë’s 👋!')).toEqual([
      { text: 'Hi Zo', ucs2: false },
      { text: 'ë’', ucs2: true },
      { text: 's ', ucs2: false },
      { text: '👋', ucs2: true },
      { text: '!', ucs2: false },
    ]);
    expect(runs('')).toEqual([]);
  });
  it('indexes UCS-2 characters in code points, as the API preview does', () => {
    // docs/api.md, Previews: "Hi Zoë, 20% off in Łódź: ..."
    expect(ucs2Characters('Hi Zoë, 20% off in Łódź: x')).toEqual([
      { char: 'ë', index: 5 },
      { char: 'Ł', index: 19 },
      { char: 'ó', index: 20 },
      { char: 'ź', index: 22 },
    ]);
    expect(ucs2Characters('👋ë')).toEqual([
      { char: '👋', index: 0 },
      { char: 'ë', index: 1 },
    ]);
  });
});
