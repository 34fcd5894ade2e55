import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Box, Button, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import UploadIcon from '@mui/icons-material/UploadFile';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { headText, mappingProblem, mappingTargets, normalizeMapping, parseCSV, targetLabel } from './csv';
import { dryRunHead, maxImportBytes, previewImport, startImport, type ContactImport, type ImportOptions } from './importApi';
import { ImportProgress, ImportState } from './ImportProgress';
import { useContactFields, useListChoices } from './queries';

const historyColumns: GridColDef<ContactImport>[] = [
  { field: 'id', headerName: 'Import', width: 90 },
  { field: 'state', headerName: 'State', width: 120, renderCell: (p) => <ImportState state={p.row.state} /> },
  { field: 'imported', headerName: 'Imported', width: 110, type: 'number' },
  { field: 'updated', headerName: 'Updated', width: 110, type: 'number' },
  { field: 'rejected', headerName: 'Rejected', width: 110, type: 'number' },
  { field: 'percent', headerName: '%', width: 70, type: 'number' },
  { field: 'created_at', headerName: 'Started', flex: 1, minWidth: 170, valueFormatter: (v: string) => formatTime(v) },
];

/** ImportsView imports a CSV file: a dry run shows the guessed mapping to correct, then the job runs with its progress; below, past imports. */
export function ImportsView() {
  const [params, setParams] = useSearchParams();
  const job = params.get('job');
  const qc = useQueryClient();
  const fields = useContactFields();
  const lists = useListChoices();
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<string[][]>([]);
  const [mapping, setMapping] = useState<string[]>([]);
  const [opts, setOpts] = useState<{ default_country: string; list_id: string; tags: string }>({ default_country: '', list_id: '', tags: '' });
  const options = (withMapping: boolean): ImportOptions => ({
    mapping: withMapping && mapping.length ? mapping : undefined,
    default_country: opts.default_country.trim(),
    list_id: opts.list_id ? Number(opts.list_id) : undefined,
    tags: opts.tags.trim(),
  });

  const preview = useMutation({
    mutationFn: async ({ f, withMapping }: { f: File; withMapping: boolean }) => {
      const text = headText(await f.slice(0, dryRunHead).text(), dryRunHead);
      return { text, answer: await previewImport(new Blob([text], { type: 'text/csv' }), options(withMapping)) };
    },
    onSuccess: ({ text, answer }) => {
      setHead(parseCSV(text, 4));
      setMapping(normalizeMapping(answer.mapping));
    },
  });
  const start = useMutation({
    mutationFn: async () => startImport(file!, options(true)),
    onSuccess: (j) => {
      qc.invalidateQueries({ queryKey: ['contact-imports'] });
      setFile(null);
      preview.reset();
      setParams({ job: String(j.id) }, { replace: true });
    },
  });

  const choose = (f: File | null) => {
    setFile(f);
    setMapping([]);
    start.reset();
    if (f) preview.mutate({ f, withMapping: false });
  };
  const targets = mappingTargets((fields.data ?? []).map((f) => f.name), mapping);
  const tooBig = file !== null && file.size > maxImportBytes;
  const problem = tooBig
    ? `The file is ${formatCount(Math.ceil(file!.size / 1048576))} MiB: the gateway takes at most 128 MiB (about a million rows) at once. Split it.`
    : mapping.length
      ? mappingProblem(mapping)
      : null;
  const p = preview.data?.answer;
  const header = head[0] ?? [];
  const samples = head.slice(1, 4);

  return (
    <Stack spacing={3}>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Typography variant="h6" component="h2" gutterBottom>
          Import contacts from a CSV file
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          One contact a row with a header row; up to 1,000,000 rows and 128 MiB. A phone already known updates that contact.
          Columns are matched by their header; check the mapping below before importing.
        </Typography>
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ mb: 2, alignItems: { md: 'flex-start' } }}>
          <Button variant="contained" component="label" startIcon={<UploadIcon />}>
            Choose CSV file
            <input
              hidden
              type="file"
              accept=".csv,text/csv,text/plain"
              aria-label="CSV file"
              data-testid="import-file"
              onChange={(e) => choose(e.target.files?.[0] ?? null)}
            />
          </Button>
          <TextField
            label="Default country"
            size="small"
            placeholder="GB"
            helperText="For national numbers (07700…)"
            value={opts.default_country}
            onChange={(e) => setOpts({ ...opts, default_country: e.target.value.toUpperCase().slice(0, 2) })}
          />
          <TextField select label="Add to list" size="small" value={opts.list_id} onChange={(e) => setOpts({ ...opts, list_id: e.target.value })} sx={{ minWidth: 180 }}>
            <MenuItem value="">No list</MenuItem>
            {(lists.data ?? []).map((l) => (
              <MenuItem key={l.id} value={String(l.id)}>
                {l.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField label="Tags for every contact" size="small" placeholder="spring, fair" value={opts.tags} onChange={(e) => setOpts({ ...opts, tags: e.target.value })} />
        </Stack>
        {file && (
          <Typography variant="body2" sx={{ mb: 1 }}>
            File: <b>{file.name}</b> ({formatCount(file.size)} bytes)
          </Typography>
        )}
        <ProblemAlert error={preview.error ?? start.error} />
        {p && (
          <Stack spacing={2}>
            <Typography variant="subtitle1" component="h3">
              Columns {p.mapping_guessed ? '(guessed from the header: correct them if needed)' : ''}
            </Typography>
            <TableContainer>
              <Table size="small" aria-label="Column mapping">
                <TableHead>
                  <TableRow>
                    <TableCell>Column</TableCell>
                    <TableCell>First values</TableCell>
                    <TableCell>Import as</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {mapping.map((m, i) => (
                    <TableRow key={i}>
                      <TableCell>{header[i] ?? `Column ${i + 1}`}</TableCell>
                      <TableCell sx={{ color: 'text.secondary' }}>{samples.map((r) => r[i] ?? '').filter(Boolean).join(' · ')}</TableCell>
                      <TableCell>
                        <TextField
                          select
                          size="small"
                          value={m}
                          onChange={(e) => setMapping(mapping.map((x, j) => (j === i ? e.target.value : x)))}
                          slotProps={{ htmlInput: { 'aria-label': `Import column ${header[i] ?? i + 1} as` } }}
                          sx={{ minWidth: 200 }}
                        >
                          {targets.map((t) => (
                            <MenuItem key={t} value={t}>
                              {targetLabel(t)}
                            </MenuItem>
                          ))}
                        </TextField>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
            {problem && <Alert severity="warning">{problem}</Alert>}
            <Typography variant="subtitle1" component="h3">
              First rows as they would be imported
            </Typography>
            <TableContainer>
              <Table size="small" aria-label="Import preview">
                <TableHead>
                  <TableRow>
                    <TableCell>Line</TableCell>
                    <TableCell>Phone</TableCell>
                    <TableCell>Name</TableCell>
                    <TableCell>Email</TableCell>
                    <TableCell>Time zone</TableCell>
                    <TableCell>Custom fields</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {(p.contacts ?? []).slice(0, 5).map((c) => (
                    <TableRow key={c.line}>
                      <TableCell>{c.line}</TableCell>
                      <TableCell>{c.phone}</TableCell>
                      <TableCell>{`${c.first_name ?? ''} ${c.last_name ?? ''}`.trim()}</TableCell>
                      <TableCell>{c.email}</TableCell>
                      <TableCell>{c.time_zone}</TableCell>
                      <TableCell>
                        {Object.entries(c.fields ?? {})
                          .map(([k, v]) => `${k}: ${String(v)}`)
                          .join(', ')}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
            {(p.rejected ?? []).length > 0 && (
              <Alert severity="warning">
                {(p.rejected ?? []).length} of the first {p.rows} rows would be rejected:
                <Box component="ul" sx={{ m: 0, pl: 2 }}>
                  {(p.rejected ?? []).slice(0, 5).map((r) => (
                    <li key={r.line}>
                      line {r.line}: {r.reason}
                    </li>
                  ))}
                </Box>
              </Alert>
            )}
            <Stack direction="row" spacing={1}>
              <Button onClick={() => file && preview.mutate({ f: file, withMapping: true })} disabled={!file || preview.isPending || Boolean(problem)}>
                Check again
              </Button>
              <Button variant="contained" onClick={() => start.mutate()} disabled={!file || start.isPending || Boolean(problem)}>
                Import {file?.name ?? ''}
              </Button>
            </Stack>
          </Stack>
        )}
      </Paper>
      {job && <ImportProgress id={Number(job)} />}
      <Box>
        <Typography variant="h6" component="h2" gutterBottom>
          Past imports
        </Typography>
        <CursorGrid<ContactImport>
          label="Past imports"
          queryKey={['contact-imports']}
          fetchPage={async (cursor, limit) => {
            const page = unwrap(
              await api.GET('/v1/contacts/imports', { params: { query: { before: cursor ? Number(cursor) : undefined, limit: Math.min(limit, 100) } } }),
            );
            return { items: page.data ?? [], next_cursor: page.next_before ? String(page.next_before) : undefined };
          }}
          columns={historyColumns}
          getRowId={(r) => r.id!}
          onRowClick={(r) => setParams({ job: String(r.id) }, { replace: true })}
          refetchInterval={job ? 3_000 : undefined}
          renderCard={(r) => (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <ImportState state={r.state} />
              <Typography variant="body2">
                #{r.id}: {formatCount(r.imported)} imported, {formatCount(r.rejected)} rejected
              </Typography>
            </Stack>
          )}
          empty={<EmptyState title="No imports yet">Choose a CSV file above; its progress and result are kept here.</EmptyState>}
        />
      </Box>
    </Stack>
  );
}
