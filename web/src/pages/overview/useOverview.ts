import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { parseUnits } from './balance';
import type { Period } from './period';

type GroupBy = 'day' | 'destination';

/** useUsage reads GET /v1/usage for a period, grouped by day or destination. */
export function useUsage(p: Period | null, groupBy: GroupBy) {
  return useQuery({
    queryKey: ['usage', p?.from, p?.until, groupBy],
    queryFn: async () =>
      unwrap(await api.GET('/v1/usage', { params: { query: { from: p!.from, until: p!.until, group_by: groupBy } } })),
    enabled: p !== null,
  });
}

/** useBalance reads GET /v1/balance. */
export function useBalance() {
  return useQuery({ queryKey: ['balance'], queryFn: async () => unwrap(await api.GET('/v1/balance')) });
}

// Who may read an account's alert settings (docs/api.md): its owner, its
// reseller, a platform admin. Others are not asked (a 403 is not news).
const alertReaders = new Set(['owner', 'reseller', 'admin']);

/**
 * useAlertThreshold reads the account's low-balance alert threshold in
 * micro-units: null when the caller may not read it or it cannot be read.
 */
export function useAlertThreshold(): { threshold: number | null; loading: boolean } {
  const { me } = useAuth();
  const readable = !!me && alertReaders.has(me.role);
  const q = useQuery({
    queryKey: ['alerts', me?.account_id],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/alerts', { params: { path: { id: me!.account_id } } })),
    enabled: readable,
    retry: false,
  });
  return { threshold: q.data ? parseUnits(q.data.low_balance_threshold) : null, loading: readable && q.isLoading };
}
