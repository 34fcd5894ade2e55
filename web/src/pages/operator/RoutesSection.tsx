import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { AccountRoutesDialog } from '../reseller/AccountRoutesDialog';
import { describeRoute, type Route } from './config';
import { RoutesDialog } from './RoutesDialog';
import { useCarriers } from './StoredCarriers';

/** defaultRoutesKey is the stored default plan's query. */
const defaultRoutesKey = ['routes', 'default'] as const;

/** RouteTable lists a plan's routes: prefix, carriers by priority, how it chooses. */
export function RouteTable({ label, routes }: { label: string; routes: Route[] }) {
  return (
    <Paper variant="outlined" sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label={label}>
        <TableHead>
          <TableRow>
            <TableCell>Prefix</TableCell>
            <TableCell>Carriers</TableCell>
            <TableCell>Choice</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {routes.map((r) => (
            <TableRow key={r.prefix}>
              <TableCell>{r.prefix ? `+${r.prefix}` : 'every number'}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{describeRoute(r)}</TableCell>
              <TableCell>
                {r.least_cost ? 'least cost' : 'by weight'}
                {r.sender_tps ? `, ${r.sender_tps}/s per sender` : ''}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Paper>
  );
}

/** DefaultRoutes shows the stored default plan and edits it. */
function DefaultRoutes() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: defaultRoutesKey, queryFn: async () => unwrap(await api.GET('/v1/routes')) });
  const carriers = useCarriers();
  const [editing, setEditing] = useState(false);
  return (
    <section aria-labelledby="routes-default">
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography id="routes-default" variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Default routes
        </Typography>
        <Button variant="contained" onClick={() => setEditing(true)} disabled={!q.data || !carriers.data}>
          Edit default routes
        </Button>
      </Stack>
      <ProblemAlert error={q.error ?? carriers.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={80} />}
      {q.data && (q.data.routes.length ? (
        <RouteTable label="Default routes" routes={q.data.routes} />
      ) : (
        <EmptyState title="No routes">Without routes no message can be sent: add one with Edit default routes.</EmptyState>
      ))}
      {q.data && carriers.data && (
        <RoutesDialog
          open={editing}
          title="Default routes"
          intro="Every account's destinations that its own routes do not match. The longest matching prefix wins; an empty prefix matches every number. Resellers may route their sub-accounts to these carriers."
          routes={q.data.routes}
          carriers={carriers.data.carriers.map((c) => c.name)}
          save={async (body) => {
            const plan = unwrap(await api.PUT('/v1/routes', { body }));
            qc.setQueryData(defaultRoutesKey, plan);
            void qc.invalidateQueries({ queryKey: ['operator', 'routes'] });
            return plan;
          }}
          onClose={() => setEditing(false)}
        />
      )}
    </section>
  );
}

/** AccountPicker opens an account's own plan by its id. */
function AccountPicker() {
  const [id, setId] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const bad = id !== '' && !/^[0-9]+$/.test(id);
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
      <TextField size="small" label="Account id" value={id} onChange={(e) => setId(e.target.value.trim())} error={bad}
        helperText={bad ? 'An account id is a number' : 'Or use Routes in the accounts tab'} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
      <Button variant="outlined" disabled={id === '' || bad} onClick={() => setOpen(id)}>
        Edit its routes
      </Button>
      <AccountRoutesDialog account={open ? { id: open, name: `account ${open}` } : null} admin onClose={() => setOpen(null)} />
    </Stack>
  );
}

/** RoutesSection edits the default plan and accounts' own plans, and shows the account plans in force on this instance. */
export function RoutesSection() {
  // Instances pick a change up within seconds: read what this one routes by again now and then.
  const live = useQuery({ queryKey: ['operator', 'routes'], queryFn: async () => unwrap(await api.GET('/v1/operator/routes')), refetchInterval: 5_000 });
  return (
    <Stack spacing={3}>
      <DefaultRoutes />
      <section aria-labelledby="routes-accounts">
        <Typography id="routes-accounts" variant="h6" component="h2" sx={{ mb: 1 }}>
          Accounts' own routes
        </Typography>
        <AccountPicker />
      </section>
      <ProblemAlert error={live.error} />
      {live.data?.account_routes.map((a) => (
        <section key={a.account_id} aria-labelledby={`routes-${a.account_id}`}>
          <Typography id={`routes-${a.account_id}`} variant="subtitle1" component="h3" sx={{ mb: 1 }}>
            Routes of account {a.account_id} (in force)
          </Typography>
          <RouteTable label={`Routes of account ${a.account_id}`} routes={a.routes} />
        </section>
      ))}
    </Stack>
  );
}
