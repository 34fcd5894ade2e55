import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';

export type Account = Schemas['AccountsAccount'];
export type Plan = Schemas['AccountsPlan'];

/** fetchAccounts reads one page of the accounts the caller may see. */
export async function fetchAccounts(cursor: string | undefined, limit: number) {
  return unwrap(await api.GET('/v1/accounts', { params: { query: { cursor, limit } } }));
}

/** fetchPlans reads the plans the caller may use (admin: the platform's; reseller: its own). */
export async function fetchPlans() {
  return unwrap(await api.GET('/v1/plans')).items;
}

/** setStatus suspends or reactivates an account. */
export async function setStatus(id: string, suspend: boolean) {
  const params = { params: { path: { id } } };
  return unwrap(suspend ? await api.POST('/v1/accounts/{id}/suspend', params) : await api.POST('/v1/accounts/{id}/activate', params));
}

/** topUp credits an account: a reseller's transfer from its own balance, an admin's payment. */
export async function topUp(id: string, amount: string, reference: string) {
  return unwrap(await api.POST('/v1/accounts/{id}/topups', { params: { path: { id } }, body: { amount, reference } }));
}

/** accountsKey prefixes every query of the accounts, to refresh them all after a change. */
export const accountsKey = ['accounts'] as const;
