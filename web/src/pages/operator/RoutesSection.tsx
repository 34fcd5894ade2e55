import { useQuery } from '@tanstack/react-query';
import { Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney } from '../../lib/format';

type Route = Schemas['OperatorRoute'];

/** choices shows a route's carriers: by priority, with weights. */
function choices(r: Route): string {
  return [...r.carriers]
    .sort((a, b) => a.priority - b.priority)
    .map((c) => `${c.carrier} (priority ${c.priority}, weight ${c.weight})`)
    .join(', ');
}

function RouteTable({ label, routes }: { label: string; routes: Route[] }) {
  return (
    <Paper variant="outlined">
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
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{choices(r)}</TableCell>
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

/** RoutesSection shows the route plans and the carriers' buy rates in force (read-only). */
export function RoutesSection() {
  const q = useQuery({ queryKey: ['operator', 'routes'], queryFn: async () => unwrap(await api.GET('/v1/operator/routes')) });
  if (q.isLoading) return <Skeleton variant="rectangular" height={160} />;
  const v = q.data;
  return (
    <Stack spacing={3}>
      <ProblemAlert error={q.error} />
      <Typography variant="body2" color="text.secondary">
        Routes and buy rates come from the configuration and gallant admin; they are read-only here.
      </Typography>
      {v && (
        <>
          <section aria-labelledby="routes-default">
            <Typography id="routes-default" variant="h6" component="h2" sx={{ mb: 1 }}>
              Default routes
            </Typography>
            {v.routes.length ? <RouteTable label="Default routes" routes={v.routes} /> : <EmptyState title="No routes">Add routes: in the configuration.</EmptyState>}
          </section>
          {v.account_routes.map((a) => (
            <section key={a.account_id} aria-labelledby={`routes-${a.account_id}`}>
              <Typography id={`routes-${a.account_id}`} variant="h6" component="h2" sx={{ mb: 1 }}>
                Routes of account {a.account_id}
              </Typography>
              <RouteTable label={`Routes of account ${a.account_id}`} routes={a.routes} />
            </section>
          ))}
          <section aria-labelledby="buy-rates">
            <Typography id="buy-rates" variant="h6" component="h2" sx={{ mb: 1 }}>
              Buy rates
            </Typography>
            {v.buy_rates.length === 0 ? (
              <EmptyState title="No buy rates">
                Record what carriers charge with gallant admin buyrate add; the margin report and least-cost routes use them.
              </EmptyState>
            ) : (
              <Paper variant="outlined">
                <Table size="small" aria-label="Buy rates">
                  <TableHead>
                    <TableRow>
                      <TableCell>Carrier</TableCell>
                      <TableCell>Prefix</TableCell>
                      <TableCell align="right">Price per segment</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {v.buy_rates.map((r) => (
                      <TableRow key={`${r.carrier}/${r.prefix}`}>
                        <TableCell>{r.carrier}</TableCell>
                        <TableCell>+{r.prefix}</TableCell>
                        <TableCell align="right">{formatMoney(r.price, r.currency, 3)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </Paper>
            )}
          </section>
        </>
      )}
    </Stack>
  );
}
