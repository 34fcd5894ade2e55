// Reading destination numbers typed, pasted or uploaded on the Send page,
// by the gateway's rules: contact.NormalizePhone (a national number, trunk
// "0", needs the account's default country) and the send path's E.164 check
// (7 to 15 digits, not starting with 0).

/**
 * callingCodes maps ISO 3166-1 alpha-2 codes to E.164 calling codes: the
 * countries the gateway knows (consent/registry.go), so a default country
 * the API accepts reads national numbers here the same way.
 */
const callingCodes: Record<string, string> = {
  AE: '971', AR: '54', AT: '43', AU: '61', BD: '880', BE: '32', BG: '359', BR: '55',
  CA: '1', CH: '41', CL: '56', CN: '86', CO: '57', CZ: '420', DE: '49', DK: '45',
  DZ: '213', EG: '20', ES: '34', FI: '358', FR: '33', GB: '44', GH: '233', GR: '30',
  HK: '852', HR: '385', HU: '36', ID: '62', IE: '353', IL: '972', IN: '91', IT: '39',
  JP: '81', KE: '254', KR: '82', LK: '94', MA: '212', MX: '52', MY: '60', NG: '234',
  NL: '31', NO: '47', NP: '977', NZ: '64', PE: '51', PH: '63', PK: '92', PL: '48',
  PT: '351', QA: '974', RO: '40', RS: '381', RU: '7', SA: '966', SE: '46', SG: '65',
  SK: '421', TH: '66', TR: '90', TW: '886', TZ: '255', UA: '380', UG: '256', US: '1',
  VN: '84', ZA: '27',
};

/** callingCode is country's calling code, or undefined for one the gateway does not know. */
export function callingCode(country: string): string | undefined {
  return callingCodes[country.toUpperCase()];
}

/** Normalized is a number read: its E.164 form ("+" and digits) or why it is not one. */
export type Normalized = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * normalizePhone reads one number: "+44 7700 900123", "0044…" and bare
 * international digits as they are; "07700 900123" with the default
 * country's calling code (without one it is refused as national). Spaces,
 * dashes, dots and brackets are ignored.
 */
export function normalizePhone(raw: string, country = ''): Normalized {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'empty' };
  const cc = country ? callingCode(country) : '';
  if (cc === undefined) return { ok: false, reason: `no calling code known for country ${country}` };
  let rest = s;
  let intl = false;
  if (rest.startsWith('+')) {
    rest = rest.slice(1);
    intl = true;
  } else if (rest.startsWith('00')) {
    rest = rest.slice(2);
    intl = true;
  }
  if (!/^[0-9 ().-]*$/.test(rest)) return { ok: false, reason: 'not a phone number: only digits, spaces, dashes, dots and brackets' };
  let d = rest.replace(/[ ().-]/g, '');
  if (!intl) {
    if (d.startsWith('0')) {
      if (!cc) return { ok: false, reason: 'national number: give it with its country code (+44…) or set a default country' };
      d = cc + d.slice(1);
    } else if (!(cc && d.startsWith(cc) && d.length >= cc.length + 8)) {
      d = cc + d;
    }
  }
  if (d.length < 7 || d.length > 15 || d.startsWith('0')) {
    return { ok: false, reason: 'not an E.164 number (7 to 15 digits with the country code)' };
  }
  return { ok: true, e164: `+${d}` };
}

/** Parsed is a set of numbers read: the valid ones, deduplicated in order, and the refused ones. */
export interface Parsed {
  valid: string[];
  invalid: { raw: string; reason: string }[];
  /** How many entries repeated a number already read. */
  duplicates: number;
}

/** parseList reads entries one by one into a Parsed. */
export function parseList(entries: Iterable<string>, country = ''): Parsed {
  const seen = new Set<string>();
  const out: Parsed = { valid: [], invalid: [], duplicates: 0 };
  for (const e of entries) {
    const raw = e.trim();
    if (raw === '') continue;
    const n = normalizePhone(raw, country);
    if (!n.ok) out.invalid.push({ raw, reason: n.reason });
    else if (seen.has(n.e164)) out.duplicates++;
    else {
      seen.add(n.e164);
      out.valid.push(n.e164);
    }
  }
  return out;
}

/** parseNumbers reads pasted text: numbers one a line or separated by commas or semicolons. */
export function parseNumbers(text: string, country = ''): Parsed {
  return parseList(text.split(/[\n\r,;\t]+/), country);
}

/**
 * csvRows splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF)
 * into rows of fields. The separator is a comma, or a semicolon when the
 * first line has more semicolons than commas (spreadsheets in many locales).
 */
export function csvRows(text: string): string[][] {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const sep = (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte order mark
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const phoneColumns = ['phone', 'number', 'to'];

/**
 * csvNumbers picks the numbers of a CSV file: the column named phone,
 * number or to (any case) when the first row names one, else the first
 * column; a first row that is a header (no digit in that column) is skipped.
 */
export function csvNumbers(text: string): { column: string; numbers: string[] } {
  const rows = csvRows(text);
  if (rows.length === 0) return { column: 'first column', numbers: [] };
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const named = phoneColumns.map((n) => header.indexOf(n)).find((i) => i >= 0);
  if (named !== undefined) {
    return { column: rows[0][named].trim(), numbers: rows.slice(1).map((r) => r[named] ?? '') };
  }
  const body = /[0-9]/.test(rows[0][0] ?? '') ? rows : rows.slice(1);
  return { column: 'first column', numbers: body.map((r) => r[0] ?? '') };
}

/**
 * senderProblem checks a sender as the gateway does (gateway.AutoSource):
 * "+" and digits, or more than 8 digits, is a number of 7 to 15 digits; 3
 * to 8 digits a short code; anything else a name of 1 to 11 GSM
 * characters. It returns why the sender is refused, or undefined when it
 * is fine (an empty sender is the account's default).
 */
export function senderProblem(from: string, gsmSeptets: (s: string) => number | null): string | undefined {
  if (from === '') return undefined;
  const digits = from.startsWith('+') ? from.slice(1) : from;
  if (/^[0-9]+$/.test(digits)) {
    if (from.startsWith('+') || digits.length > 8) {
      return digits.length < 7 || digits.length > 15 ? 'an international sender is 7 to 15 digits' : undefined;
    }
    return digits.length >= 3 ? undefined : 'a short code has 3 to 8 digits';
  }
  const n = gsmSeptets(from);
  if (n === null || n < 1 || n > 11) {
    return 'sender must be a phone number, a 3–8 digit short code, or 1 to 11 GSM characters';
  }
  return undefined;
}
