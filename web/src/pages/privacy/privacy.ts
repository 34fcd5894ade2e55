// Data-subject requests: the number typed, checked as the API checks it
// (app/privacy.go: E.164, 7 to 15 digits with the country code), and what
// an erasure did, in words.

import type { Schemas } from '../../api/client';

export type EraseResult = Schemas['PrivacyEraseResult'];

/** cleanPhone drops spaces, dashes, dots and brackets: "+44 7700-900123" is "+447700900123". */
export function cleanPhone(v: string): string {
  return v.replace(/[\s\-.()]/g, '');
}

/** phoneError says what is wrong with a number in international form (undefined: nothing). */
export function phoneError(v: string): string | undefined {
  const s = cleanPhone(v);
  if (s === '') return 'Enter the number with its country code, such as +447700900123';
  if (!/^\+[1-9][0-9]{6,14}$/.test(s)) return 'A + and 7 to 15 digits with the country code, such as +447700900123';
  return undefined;
}

/** accountIdError checks the optional account id (empty: the caller's own, or every account for a platform admin). */
export function accountIdError(v: string): string | undefined {
  return v.trim() === '' || /^[1-9][0-9]{0,18}$/.test(v.trim()) ? undefined : 'An account id is a number';
}

/** subjectQuery is the export's query, and the erasure's body: the number, and the account when one is named. */
export function subjectQuery(phone: string, accountId: string): { phone: string; account_id?: string } {
  const q: { phone: string; account_id?: string } = { phone: cleanPhone(phone) };
  if (accountId.trim()) q.account_id = accountId.trim();
  return q;
}

/** exportName is the downloaded file's name: the number's digits and the day. */
export function exportName(phone: string, now = new Date()): string {
  return `privacy-export-${cleanPhone(phone).replace(/\D/g, '')}-${now.toISOString().slice(0, 10)}.json`;
}

/** eraseSummary says what an erasure changed: rows by table (the non-zero ones), cancelled messages. */
export function eraseSummary(r: EraseResult): string {
  if (r.total === 0 && r.cancelled === 0) return 'Nothing held about this number was left to erase.';
  const tables = Object.entries(r.rows)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, n]) => `${t.replaceAll('_', ' ')} ${n}`);
  let s = `${r.total} ${r.total === 1 ? 'record' : 'records'} erased or redacted`;
  if (tables.length) s += ` (${tables.join(', ')})`;
  if (r.cancelled) s += `; ${r.cancelled} scheduled ${r.cancelled === 1 ? 'message' : 'messages'} cancelled`;
  return `${s}. The number now shows as ${r.token}.`;
}
