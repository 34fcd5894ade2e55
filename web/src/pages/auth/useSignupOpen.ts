import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';

/** useSignupOpen asks the gateway whether sign-up is open (GET /v1/auth/config); undefined while it answers, false if it cannot. */
export function useSignupOpen(): boolean | undefined {
  const q = useQuery({
    queryKey: ['auth-config'],
    queryFn: async () => unwrap(await api.GET('/v1/auth/config')),
    staleTime: 5 * 60_000,
    retry: false,
  });
  if (q.isError) return false;
  return q.data?.signup_open;
}
