import { useQuery } from '@tanstack/react-query';
import {
  Card, CardContent, Chip, Grid, LinearProgress, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography,
  useMediaQuery, useTheme,
} from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { type BindState, bindColour, fill, forHowLong, formatRate } from './live';
import { StoredCarriers } from './StoredCarriers';

type Carrier = Schemas['OperatorCarrier'];
type Bind = Schemas['OperatorBind'];

/** How often the live figures are read again. */
const refreshMs = 2_000;

/** Figure is one labelled live number. */
function Figure({ label, carrier, value }: { label: string; carrier: string; value: string }) {
  return (
    <div>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="h6" component="p" aria-label={`${label} (${carrier})`}>
        {value}
      </Typography>
    </div>
  );
}

function BindChip({ b }: { b: Bind }) {
  return <Chip size="small" variant="outlined" label={b.state} color={bindColour(b.state as BindState)} title={b.last_error} />;
}

/** CarriersSection shows the stored carriers (to create, edit and delete) and each carrier of the answering instance, live. */
export function CarriersSection() {
  return (
    <Stack spacing={4}>
      <StoredCarriers />
      <section aria-labelledby="live-carriers">
        <Typography id="live-carriers" variant="h6" component="h2" sx={{ mb: 1 }}>
          Live status
        </Typography>
        <LiveCarriers />
      </section>
    </Stack>
  );
}

/** LiveCarriers shows each carrier of the answering instance, live: binds, throughput, queue and in-flight submits. */
function LiveCarriers() {
  const q = useQuery({
    queryKey: ['operator', 'carriers'],
    queryFn: async () => unwrap(await api.GET('/v1/operator/carriers')),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  if (q.isLoading) return <Skeleton variant="rectangular" height={160} />;
  const carriers = q.data?.carriers ?? [];
  return (
    <>
      <ProblemAlert error={q.error} />
      {q.data && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          This instance's carriers, read every {refreshMs / 1000} s (last {formatTime(q.data.at)}). Rates are over the last few seconds.
        </Typography>
      )}
      {q.data && carriers.length === 0 && (
        <EmptyState title="No carriers running">Add a carrier with New carrier: every instance binds to it within seconds, without a restart.</EmptyState>
      )}
      <Stack spacing={2}>
        {carriers.map((c) => (
          <CarrierCard key={c.name} c={c} />
        ))}
      </Stack>
    </>
  );
}

function CarrierCard({ c }: { c: Carrier }) {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const bound = c.binds.filter((b) => b.state === 'bound').length;
  return (
    <Card variant="outlined" component="section" aria-label={`Carrier ${c.name}`}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
          <Typography variant="h6" component="h3" sx={{ flexGrow: 1 }}>
            {c.name}
          </Typography>
          <Chip size="small" label={`${bound} of ${c.binds.length} bound`} color={bound === c.binds.length ? 'success' : bound ? 'warning' : 'error'} />
        </Stack>
        <Grid container spacing={2} sx={{ mb: 2 }}>
          <Grid size={{ xs: 6, md: 3 }}>
            <Figure label="Submits per second" carrier={c.name} value={formatRate(c.submits_per_second)} />
          </Grid>
          <Grid size={{ xs: 6, md: 3 }}>
            <Figure label="In flight" carrier={c.name} value={formatCount(c.in_flight)} />
          </Grid>
          <Grid size={{ xs: 6, md: 3 }}>
            <Figure label="Queued" carrier={c.name} value={`${formatCount(c.queued)} of ${formatCount(c.queue_capacity)}`} />
            <LinearProgress variant="determinate" value={fill(c.reserved, c.queue_capacity)} aria-label={`Queue of ${c.name} in use`} />
          </Grid>
          <Grid size={{ xs: 6, md: 3 }}>
            <Figure label="Acknowledged" carrier={c.name} value={formatCount(c.submitted)} />
          </Grid>
        </Grid>
        {narrow ? (
          <Stack spacing={1} role="list" aria-label={`Binds of ${c.name}`}>
            {c.binds.map((b) => (
              <Paper key={b.index} variant="outlined" role="listitem" sx={{ p: 1 }}>
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                  <Typography variant="body2">Bind {b.index + 1}</Typography>
                  <BindChip b={b} />
                  <Typography variant="body2" color="text.secondary">
                    {forHowLong(b.since)}
                  </Typography>
                </Stack>
                <Typography variant="body2">
                  {formatRate(b.submits_per_second)} · {b.in_flight} of {b.window} in flight
                </Typography>
              </Paper>
            ))}
          </Stack>
        ) : (
          <Table size="small" aria-label={`Binds of ${c.name}`}>
            <TableHead>
              <TableRow>
                <TableCell>Bind</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Since</TableCell>
                <TableCell align="right">Submits/s</TableCell>
                <TableCell align="right">In flight</TableCell>
                <TableCell align="right">Acknowledged</TableCell>
                <TableCell>Last error</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {c.binds.map((b) => (
                <TableRow key={b.index}>
                  <TableCell>{b.index + 1}</TableCell>
                  <TableCell>
                    <BindChip b={b} />
                  </TableCell>
                  <TableCell>
                    {formatTime(b.since)} <Typography variant="caption" color="text.secondary">{forHowLong(b.since)}</Typography>
                  </TableCell>
                  <TableCell align="right">{formatRate(b.submits_per_second)}</TableCell>
                  <TableCell align="right">
                    {b.in_flight} of {b.window}
                  </TableCell>
                  <TableCell align="right">{formatCount(b.submitted)}</TableCell>
                  <TableCell sx={{ maxWidth: 280, overflowWrap: 'anywhere' }}>{b.last_error ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
