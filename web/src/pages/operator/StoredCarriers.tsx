import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button, Chip, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography, useMediaQuery, useTheme,
} from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { CarrierDialog, carriersKey } from './CarrierDialog';
import type { Carrier } from './config';

/**
 * useCarriers reads the stored carriers (GET /v1/carriers: platform admins
 * only; enabled false skips it), again every refetchMs when given (the
 * instance applies changes within seconds).
 */
export function useCarriers(enabled = true, refetchMs?: number) {
  return useQuery({
    queryKey: [...carriersKey, 'list'],
    queryFn: async () => unwrap(await api.GET('/v1/carriers')),
    enabled,
    refetchInterval: refetchMs,
  });
}

/**
 * StoredCarriers lists the carriers kept in the store, with creation,
 * editing and deletion (a carrier a route still names is refused: the
 * problem is shown).
 */
export function StoredCarriers() {
  const qc = useQueryClient();
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const q = useCarriers(true, 3_000);
  const [dialog, setDialog] = useState<{ editing: Carrier | null } | null>(null);
  const [deleting, setDeleting] = useState<Carrier | null>(null);
  const del = useMutation({
    mutationFn: async (name: string) => unwrap(await api.DELETE('/v1/carriers/{name}', { params: { path: { name } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: carriersKey });
    },
  });
  const carriers = q.data?.carriers ?? [];
  const actions = (c: Carrier) => (
    <Stack direction="row" spacing={1}>
      <Button size="small" onClick={() => setDialog({ editing: c })} aria-label={`Edit carrier ${c.name}`}>
        Edit
      </Button>
      <Button size="small" color="error" onClick={() => setDeleting(c)} aria-label={`Delete carrier ${c.name}`}>
        Delete
      </Button>
    </Stack>
  );
  const pending = (c: Carrier) =>
    c.restart_pending && (
      <Chip size="small" label="not applied" title="This instance could not apply these settings: see its log" color="warning" variant="outlined" sx={{ ml: 1 }} />
    );
  const binds = (c: Carrier) => `${c.binds} × ${c.bind_type}, window ${c.window}`;
  return (
    <section aria-labelledby="stored-carriers">
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography id="stored-carriers" variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Configuration
        </Typography>
        <Button variant="contained" onClick={() => setDialog({ editing: null })}>
          New carrier
        </Button>
      </Stack>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={80} />}
      {q.data && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Configuration version {q.data.version}; this instance routes by version {q.data.applied_version}.
          {q.data.restart_pending.length > 0 && ` Not applied on this instance (see its log): ${q.data.restart_pending.join(', ')}.`}
        </Typography>
      )}
      {q.data && carriers.length === 0 && <EmptyState title="No carriers stored">Add one with New carrier.</EmptyState>}
      {carriers.length > 0 && narrow && (
        <Stack spacing={1} role="list" aria-label="Stored carriers">
          {carriers.map((c) => (
            <Paper key={c.name} variant="outlined" role="listitem" sx={{ p: 1.5 }}>
              <Typography variant="subtitle2">
                {c.name}
                {pending(c)}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                {c.address}
                {c.tls ? ' (TLS)' : ''} · {c.system_id} · {binds(c)} · {c.tps ? `${c.tps} segments/s` : 'no rate limit'}
              </Typography>
              {actions(c)}
            </Paper>
          ))}
        </Stack>
      )}
      {carriers.length > 0 && !narrow && (
        <Paper variant="outlined" sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Stored carriers">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Address</TableCell>
                <TableCell>System id</TableCell>
                <TableCell>Binds</TableCell>
                <TableCell align="right">Segments/s</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {carriers.map((c) => (
                <TableRow key={c.name}>
                  <TableCell>
                    {c.name}
                    {pending(c)}
                  </TableCell>
                  <TableCell sx={{ overflowWrap: 'anywhere' }}>
                    {c.address}
                    {c.tls ? ' (TLS)' : ''}
                  </TableCell>
                  <TableCell>
                    {c.system_id}
                    {c.password_set ? '' : ' (no password)'}
                  </TableCell>
                  <TableCell>{binds(c)}</TableCell>
                  <TableCell align="right">{c.tps || 'no limit'}</TableCell>
                  <TableCell>{actions(c)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Paper>
      )}
      <CarrierDialog open={dialog !== null} editing={dialog?.editing ?? null} onClose={() => setDialog(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete carrier ${deleting?.name}?`}
        confirm="Delete"
        busy={del.isPending}
        onConfirm={() => deleting && del.mutate(deleting.name)}
        onClose={() => {
          setDeleting(null);
          del.reset();
        }}
      >
        <ProblemAlert error={del.error} />
        A carrier that a route still names cannot be deleted: change the routes first. Its binds unbind within seconds, once the
        carrier answered the submits in flight.
      </ConfirmDialog>
    </section>
  );
}
