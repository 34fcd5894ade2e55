// The Messages page's filters, kept in the URL: ?status=&to=&sender=
// &campaign=&first=&last= (first and last are days in the browser's zone,
// both included).

import type { paths } from '../../api/client';

/** ListQuery is the query of GET /v1/messages and /v1/messages/export, without paging. */
export type ListQuery = Omit<NonNullable<paths['/v1/messages']['get']['parameters']['query']>, 'cursor' | 'limit'>;

/** The URL parameters of the filters. */
export const filterKeys = ['status', 'to', 'sender', 'campaign', 'first', 'last'] as const;

/** localMidnight is the start of day YYYY-MM-DD in the browser's zone, or null. */
export function localMidnight(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null;
}

/** dayRange turns the first and last days (either may be empty) into the API's from and until. */
export function dayRange(first: string, last: string): { from?: string; until?: string } {
  const out: { from?: string; until?: string } = {};
  const a = first ? localMidnight(first) : null;
  const b = last ? localMidnight(last) : null;
  if (a) out.from = a.toISOString();
  if (b) {
    const next = new Date(b.getFullYear(), b.getMonth(), b.getDate() + 1);
    out.until = next.toISOString();
  }
  return out;
}

/** rangeError says why first and last cannot be used together, or null. */
export function rangeError(first: string, last: string): string | null {
  if ((first && !localMidnight(first)) || (last && !localMidnight(last))) return 'Not a date.';
  if (first && last && last < first) return 'The end date is before the start date.';
  return null;
}

/** queryFromParams reads the filters from the URL into the API's query (unset ones left out). */
export function queryFromParams(p: URLSearchParams): ListQuery {
  const q: ListQuery = {};
  const status = p.get('status');
  if (status) q.status = status as ListQuery['status'];
  const to = p.get('to')?.trim();
  if (to) q.to = to;
  const sender = p.get('sender')?.trim();
  if (sender) q.sender = sender;
  const campaign = Number(p.get('campaign'));
  if (Number.isInteger(campaign) && campaign > 0) q.campaign = campaign;
  const first = p.get('first') ?? '';
  const last = p.get('last') ?? '';
  if (!rangeError(first, last)) Object.assign(q, dayRange(first, last));
  return q;
}

/** isFiltered is whether any filter is set. */
export function isFiltered(q: ListQuery): boolean {
  return Object.values(q).some((v) => v !== undefined && v !== '');
}

/** exportName is the download's file name, dated: messages-2026-12-07.csv. */
export function exportName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `messages-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
