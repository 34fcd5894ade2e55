import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Box, Button, MenuItem, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import DownloadIcon from '@mui/icons-material/Download';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { formatCount } from '../../lib/format';
import { saveBlob } from '../../lib/download';
import { useDebounced } from '../../lib/useDebounced';
import { plusPhone } from '../contacts/phones';
import { useContactFields, useListChoices } from '../contacts/queries';
import { ConditionRow } from './ConditionRow';
import { fromApiRules, newCondition, rulesProblem, toApiRules, type RuleState } from './rules';

/** SegmentEditor builds a segment's rules with a live preview (count and sample), and saves, deletes or exports it. */
export function SegmentEditor() {
  const param = useParams().id;
  const id = param && param !== 'new' ? Number(param) : null;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const fields = useContactFields();
  const lists = useListChoices();
  const custom = useMemo(() => fields.data ?? [], [fields.data]);
  const [name, setName] = useState('');
  const [rules, setRules] = useState<RuleState>({ match: 'all', conditions: [] });
  const [deleting, setDeleting] = useState(false);
  const seg = useQuery({
    queryKey: ['segment', id],
    queryFn: async () => unwrap(await api.GET('/v1/segments/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
  useEffect(() => {
    if (seg.data) {
      setName(seg.data.name ?? '');
      setRules(fromApiRules(seg.data.rules as never));
    }
  }, [seg.data]);

  const problem = rulesProblem(rules, custom);
  const body = useDebounced(problem ? null : JSON.stringify(toApiRules(rules, custom)), 350);
  const preview = useQuery({
    queryKey: ['segment-preview', body],
    queryFn: async () => unwrap(await api.POST('/v1/segments/preview', { body: { rules: JSON.parse(body!) } })),
    enabled: body !== null && fields.isSuccess,
    placeholderData: keepPreviousData,
  });
  const save = useMutation({
    mutationFn: async () => {
      const b = { name: name.trim(), rules: toApiRules(rules, custom) as never };
      return id
        ? unwrap(await api.PATCH('/v1/segments/{id}', { params: { path: { id } }, body: b }))
        : unwrap(await api.POST('/v1/segments', { body: b }));
    },
    onSuccess: (s) => {
      qc.invalidateQueries({ queryKey: ['segments'] });
      qc.setQueryData(['segment', s.id], s);
      if (!id) navigate(`/lists/segments/${s.id}`, { replace: true });
    },
  });
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/segments/{id}', { params: { path: { id: id! } } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['segments'] });
      navigate('/lists/segments');
    },
  });
  const exporter = useMutation({
    mutationFn: async () => {
      const blob = unwrap(await api.GET('/v1/contacts/export', { params: { query: { segment: id! } }, parseAs: 'blob' })) as unknown as Blob;
      saveBlob(blob, `segment-${id}.csv`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && !problem) save.mutate();
  };
  const setCondition = (i: number, c: RuleState['conditions'][number]) =>
    setRules({ ...rules, conditions: rules.conditions.map((x, j) => (j === i ? c : x)) });

  if (id !== null && seg.isLoading) return <Skeleton variant="rectangular" height={240} />;
  return (
    <Stack spacing={2}>
      <ProblemAlert error={seg.error ?? del.error ?? exporter.error} />
      <Paper variant="outlined" sx={{ p: 2 }} component="form" onSubmit={submit} noValidate>
        <Typography variant="h6" component="h2" gutterBottom>
          {id ? `Segment ${seg.data?.name ?? ''}` : 'New segment'}
        </Typography>
        <ProblemAlert error={save.error} />
        {save.isSuccess && <Alert severity="success" sx={{ mb: 2 }}>Saved.</Alert>}
        <Stack spacing={2}>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="Segment name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              size="small"
              error={Boolean(fieldError(save.error, 'name'))}
              helperText={fieldError(save.error, 'name')}
              slotProps={{ htmlInput: { maxLength: 100 } }}
              sx={{ flex: 1 }}
            />
            <TextField
              select
              label="Contacts matching"
              value={rules.match}
              onChange={(e) => setRules({ ...rules, match: e.target.value as 'all' | 'any' })}
              size="small"
              sx={{ minWidth: 220 }}
            >
              <MenuItem value="all">all of the conditions</MenuItem>
              <MenuItem value="any">any of the conditions</MenuItem>
            </TextField>
          </Stack>
          {rules.conditions.length === 0 && (
            <Typography variant="body2" color="text.secondary">
              No condition: the segment is every contact. Add conditions to narrow it.
            </Typography>
          )}
          {rules.conditions.map((c, i) => (
            <ConditionRow
              key={i}
              index={i}
              c={c}
              custom={custom}
              lists={lists.data ?? []}
              onChange={(n) => setCondition(i, n)}
              onRemove={() => setRules({ ...rules, conditions: rules.conditions.filter((_, j) => j !== i) })}
            />
          ))}
          <Box>
            <Button
              startIcon={<AddIcon />}
              onClick={() => setRules({ ...rules, conditions: [...rules.conditions, newCondition('tags', custom)] })}
              disabled={rules.conditions.length >= 50}
            >
              Add condition
            </Button>
          </Box>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>
            <Button type="submit" variant="contained" disabled={save.isPending || !name.trim() || Boolean(problem)}>
              {id ? 'Save segment' : 'Create segment'}
            </Button>
            {id && (
              <>
                <Button component={Link} to={`/contacts?segment=${id}`}>
                  See contacts
                </Button>
                <Button startIcon={<DownloadIcon />} onClick={() => exporter.mutate()} disabled={exporter.isPending}>
                  Export
                </Button>
                <Button color="error" onClick={() => setDeleting(true)}>
                  Delete
                </Button>
              </>
            )}
          </Stack>
        </Stack>
      </Paper>
      <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Segment preview">
        <Typography variant="h6" component="h2" gutterBottom>
          Preview
        </Typography>
        {problem ? (
          <Alert severity="info">{problem}</Alert>
        ) : (
          <>
            <ProblemAlert error={preview.error} />
            <Typography variant="body1" aria-live="polite" data-testid="segment-count">
              {preview.data ? (
                <>
                  <b>{formatCount(preview.data.count)}</b> contact{preview.data.count === 1 ? '' : 's'} match
                </>
              ) : (
                'Counting…'
              )}
            </Typography>
            {(preview.data?.sample ?? []).length > 0 && (
              <Table size="small" aria-label="Sample contacts">
                <TableHead>
                  <TableRow>
                    <TableCell>Phone</TableCell>
                    <TableCell>Name</TableCell>
                    <TableCell>Tags</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {(preview.data?.sample ?? []).map((c) => (
                    <TableRow key={c.id}>
                      <TableCell>{plusPhone(c.phone)}</TableCell>
                      <TableCell>{`${c.first_name ?? ''} ${c.last_name ?? ''}`.trim()}</TableCell>
                      <TableCell>{(c.tags ?? []).join(', ')}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </>
        )}
      </Paper>
      <ConfirmDialog
        open={deleting}
        title="Delete this segment?"
        confirm="Delete segment"
        busy={del.isPending}
        onConfirm={() => del.mutate()}
        onClose={() => setDeleting(false)}
      >
        The saved rules are deleted; no contact is. Campaigns already launched keep their audience.
      </ConfirmDialog>
    </Stack>
  );
}
