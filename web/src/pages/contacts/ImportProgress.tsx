import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Box, Button, Chip, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { saveBlob } from '../../lib/download';
import type { ContactImport } from './importApi';

const live = (s?: string) => s === 'queued' || s === 'running';

const stateColour: Record<string, 'default' | 'primary' | 'success' | 'error'> = {
  queued: 'default', running: 'primary', completed: 'success', stopped: 'default', failed: 'error',
};

/** ImportState shows an import job's state in its colour. */
export function ImportState({ state }: { state?: string }) {
  return <Chip size="small" variant="outlined" label={state ?? '–'} color={stateColour[state ?? ''] ?? 'default'} />;
}

/** ImportProgress follows one import job (polled every second while it runs): progress, counts, stop, rejected rows. */
export function ImportProgress({ id }: { id: number }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['contact-import', id],
    queryFn: async () => unwrap(await api.GET('/v1/contacts/imports/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (live(query.state.data?.state) || !query.state.data ? 1_000 : false),
  });
  const job: ContactImport | undefined = q.data;
  const stop = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/contacts/imports/{id}/stop', { params: { path: { id } } })),
    onSuccess: (j) => qc.setQueryData(['contact-import', id], j),
  });
  const rejected = useMutation({
    mutationFn: async () => {
      const blob = unwrap(
        await api.GET('/v1/contacts/imports/{id}/rejected', { params: { path: { id } }, parseAs: 'blob' }),
      ) as unknown as Blob;
      saveBlob(blob, `import-${id}-rejected.csv`);
    },
  });
  const wasLive = live(job?.state);
  const ended = job !== undefined && !wasLive;
  useEffect(() => {
    // The job changed the contacts: the listings read them again.
    if (ended) qc.invalidateQueries({ queryKey: ['contacts'] });
  }, [ended, qc]);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label={`Import ${id}`}>
      <ProblemAlert error={q.error ?? stop.error ?? rejected.error} />
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="subtitle1" component="h3" sx={{ flexGrow: 1 }}>
          Import {id}
        </Typography>
        <ImportState state={job?.state} />
      </Stack>
      <LinearProgress
        variant={job ? 'determinate' : 'indeterminate'}
        value={job?.percent ?? 0}
        aria-label="Import progress"
        sx={{ height: 8, borderRadius: 1, mb: 1 }}
      />
      <Stack direction="row" spacing={3} sx={{ flexWrap: 'wrap', mb: 1 }} aria-live="polite">
        <Typography variant="body2">
          <b data-testid="import-imported">{formatCount(job?.imported ?? 0)}</b> imported
        </Typography>
        <Typography variant="body2">
          <b>{formatCount(job?.updated ?? 0)}</b> updated
        </Typography>
        <Typography variant="body2">
          <b>{formatCount(job?.rejected ?? 0)}</b> rejected
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {formatCount(job?.rows ?? 0)} rows read · {job?.percent ?? 0}%
        </Typography>
      </Stack>
      {job?.error && <Alert severity="error">{job.error}</Alert>}
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        {wasLive && (
          <Button color="error" onClick={() => stop.mutate()} disabled={stop.isPending}>
            Stop
          </Button>
        )}
        {(job?.rejected ?? 0) > 0 && (
          <Button onClick={() => rejected.mutate()} disabled={rejected.isPending}>
            Download rejected rows
          </Button>
        )}
        <Typography variant="caption" color="text.secondary">
          Started {formatTime(job?.started_at ?? job?.created_at)}
          {job?.finished_at ? ` · finished ${formatTime(job.finished_at)}` : ''}
        </Typography>
      </Box>
    </Paper>
  );
}
