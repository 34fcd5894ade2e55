import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';

export type Contact = Schemas['Contact'];
export type ContactField = Schemas['ContactField'];
export type ContactList = Schemas['ContactList'];
export type Segment = Schemas['Segment'];

/** useContactFields reads the account's custom field declarations. */
export function useContactFields() {
  return useQuery({
    queryKey: ['contact-fields'],
    queryFn: async () => unwrap(await api.GET('/v1/contact-fields')).data,
  });
}

/**
 * useListChoices reads the account's first 200 lists, for pickers (filters,
 * import target, rule builder); the Lists page pages through all of them.
 */
export function useListChoices() {
  return useQuery({
    queryKey: ['lists', 'choices'],
    queryFn: async () => unwrap(await api.GET('/v1/lists', { params: { query: { limit: 200 } } })).data,
  });
}

/** useSegmentChoices reads the account's first 100 segments, for pickers. */
export function useSegmentChoices() {
  return useQuery({
    queryKey: ['segments', 'choices'],
    queryFn: async () => unwrap(await api.GET('/v1/segments', { params: { query: { limit: 100 } } })).data ?? [],
  });
}
