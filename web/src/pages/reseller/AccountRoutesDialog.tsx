import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Skeleton } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { RoutesDialog } from '../operator/RoutesDialog';
import { useCarriers } from '../operator/StoredCarriers';

/** accountRoutesKey is the query of one account's own route plan. */
export const accountRoutesKey = (id: string) => ['routes', 'account', id] as const;

/**
 * AccountRoutesDialog edits an account's own route plan (destinations it
 * does not match use the default plan). A platform admin picks among the
 * stored carriers; a reseller types the carriers the platform offers it,
 * and the API refuses any other (the problem is shown).
 */
export function AccountRoutesDialog({ account, admin, onClose }: { account: { id: string; name: string } | null; admin: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const id = account?.id ?? '';
  const q = useQuery({
    queryKey: accountRoutesKey(id),
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/routes', { params: { path: { id } } })),
    enabled: account !== null,
    staleTime: 0,
  });
  const carriers = useCarriers(admin && account !== null);
  if (account === null) return null;
  const ready = q.data && (!admin || carriers.data || carriers.error);
  if (!ready) {
    return (
      <Dialog open onClose={onClose} aria-labelledby="account-routes-loading" fullWidth maxWidth="sm">
        <DialogTitle id="account-routes-loading">Routes of {account.name}</DialogTitle>
        <DialogContent>
          <ProblemAlert error={q.error} />
          {!q.error && <Skeleton variant="rectangular" height={120} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Close</Button>
        </DialogActions>
      </Dialog>
    );
  }
  return (
    <RoutesDialog
      open
      title={`Routes of ${account.name}`}
      intro={
        admin
          ? 'This account’s own routes; destinations none of them matches use the default routes. Save an empty plan to remove it.'
          : 'This sub-account’s own routes, among the carriers the platform offers you; destinations none of them matches use the platform’s routes. Save an empty plan to remove it.'
      }
      routes={q.data.routes}
      carriers={admin ? carriers.data?.carriers.map((c) => c.name) : undefined}
      save={async (body) => {
        const plan = unwrap(await api.PUT('/v1/accounts/{id}/routes', { params: { path: { id } }, body }));
        qc.setQueryData(accountRoutesKey(id), plan);
        void qc.invalidateQueries({ queryKey: ['operator', 'routes'] });
        return plan;
      }}
      onClose={onClose}
    />
  );
}
