// The Send page's reads: each through the generated client, paged where the
// API pages, so a picker works with a handful of lists or thousands.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { toProblem, unwrap } from '../../api/problem';

export type Template = Schemas['Template'];
export type ContactList = Schemas['ContactList'];
export type Segment = Schemas['Segment'];

const pageSize = 100;

/** useDefaultCountry is the account's default country for national numbers ("" when none). */
export function useDefaultCountry(): string {
  const q = useQuery({
    queryKey: ['contact-settings'],
    queryFn: async () => unwrap(await api.GET('/v1/contact-settings')),
    staleTime: 60_000,
  });
  return q.data?.default_country ?? '';
}

/** useCurrency is the account's currency (its balance's), EUR while unknown or with billing off. */
export function useCurrency(): string {
  const q = useQuery({
    queryKey: ['balance'],
    queryFn: async () => unwrap(await api.GET('/v1/balance')),
    retry: false,
    staleTime: 60_000,
  });
  return q.data?.currency ?? 'EUR';
}

/** useSenderNumbers lists the account's long numbers and short codes, offered as senders. */
export function useSenderNumbers() {
  return useInfiniteQuery({
    queryKey: ['numbers', 'senders'],
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/v1/numbers', { params: { query: { cursor: pageParam, limit: pageSize } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.next_cursor || undefined,
    select: (d) => d.pages.flatMap((p) => p.data).filter((n) => n.kind === 'long' || n.kind === 'short').map((n) => n.number),
    staleTime: 60_000,
  });
}

/** useTemplates pages through the account's templates. */
export function useTemplates() {
  return useInfiniteQuery({
    queryKey: ['templates', 'picker'],
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/v1/templates', { params: { query: { cursor: pageParam, limit: pageSize } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.next_cursor || undefined,
    select: (d) => d.pages.flatMap((p) => p.data),
  });
}

/** useLists pages through the account's contact lists. */
export function useLists() {
  return useInfiniteQuery({
    queryKey: ['lists', 'picker'],
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/v1/lists', { params: { query: { cursor: pageParam, limit: pageSize } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.next_cursor || undefined,
    select: (d) => d.pages.flatMap((p) => p.data),
  });
}

/** useSegments pages through the account's segments. */
export function useSegments() {
  return useInfiniteQuery({
    queryKey: ['segments', 'picker'],
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/v1/segments', { params: { query: { after: pageParam, limit: pageSize } } })),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (p) => p.next_after || undefined,
    select: (d) => d.pages.flatMap((p) => p.data ?? []),
  });
}

/** useContactFields lists the account's declared custom fields, the {{field.NAME}} placeholders. */
export function useContactFields() {
  return useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => unwrap(await api.GET('/v1/contact-fields')),
    select: (d) => d.data.map((f) => f.name),
    staleTime: 60_000,
  });
}

/** Quote is the price of one segment to one number, or why there is none. */
export type Quote = { perSegment: number; currency: string } | { off: true } | { notPriced: string };

/** quote asks the account's plan for one segment to number. */
export async function quote(number: string): Promise<Quote> {
  const res = await api.GET('/v1/pricing', { params: { query: { to: number } } });
  if (res.response.status === 404) return { off: true }; // billing is off
  if (res.response.status === 422) return { notPriced: toProblem(res.error, res.response).detail ?? 'not priced' };
  const p = unwrap(res);
  return { perSegment: p.per_segment, currency: p.currency };
}
