import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, IconButton, Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import AddIcon from '@mui/icons-material/Add';
import DownloadIcon from '@mui/icons-material/Download';
import UploadIcon from '@mui/icons-material/UploadFile';
import UndoIcon from '@mui/icons-material/Undo';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { saveBlob } from '../../lib/download';
import { plusPhone } from '../contacts/phones';
import { AddOptOutsDialog } from './AddOptOutsDialog';
import { KeywordsPanel } from './KeywordsPanel';

type Entry = Schemas['OptOutEntry'];

/** OptOutsPage lists the numbers the account may not message, with add, opt-in again, CSV import and export. */
export default function OptOutsPage() {
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [lifting, setLifting] = useState<Entry | null>(null);
  const lift = useMutation({
    mutationFn: async (e: Entry) =>
      unwrap(
        await api.DELETE('/v1/opt-outs/{number}', {
          params: { path: { number: e.number }, query: { scope: e.scope, sender: e.sender || undefined } },
        }),
      ),
    onSuccess: () => {
      setLifting(null);
      qc.invalidateQueries({ queryKey: ['opt-outs'] });
      qc.invalidateQueries({ queryKey: ['contacts'] });
    },
  });
  const importer = useMutation({
    mutationFn: async (f: File) =>
      unwrap(
        await api.POST('/v1/opt-outs/import', {
          body: f as unknown as string,
          bodySerializer: (b) => b as unknown as BodyInit,
          headers: { 'Content-Type': 'text/csv' },
        }),
      ),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['opt-outs'] });
      qc.invalidateQueries({ queryKey: ['contacts'] });
    },
  });
  const exporter = useMutation({
    mutationFn: async () => {
      const blob = unwrap(await api.GET('/v1/opt-outs/export', { parseAs: 'blob' })) as unknown as Blob;
      saveBlob(blob, 'opt-outs.csv');
    },
  });
  const columns: GridColDef<Entry>[] = [
    { field: 'number', headerName: 'Number', width: 170, valueFormatter: (v: string) => plusPhone(v) },
    { field: 'scope', headerName: 'Scope', width: 110 },
    { field: 'sender', headerName: 'Sender', width: 130 },
    { field: 'source', headerName: 'Source', width: 130 },
    { field: 'keyword', headerName: 'Keyword', width: 110 },
    { field: 'at', headerName: 'Since', flex: 1, minWidth: 170, valueFormatter: (v: string) => formatTime(v) },
    {
      field: 'lift', headerName: '', width: 70, sortable: false,
      renderCell: (p) => (
        <IconButton aria-label={`Opt ${plusPhone(p.row.number)} in again`} onClick={() => setLifting(p.row)}>
          <UndoIcon />
        </IconButton>
      ),
    },
  ];
  const imported = importer.data;
  return (
    <>
      <PageHeader
        title="Opt-outs"
        subtitle="Numbers that asked not to be messaged: every send path refuses them"
        actions={
          <>
            <Button startIcon={<DownloadIcon />} onClick={() => exporter.mutate()} disabled={exporter.isPending}>
              Export
            </Button>
            <Button component="label" startIcon={<UploadIcon />} disabled={importer.isPending}>
              Import
              <input
                hidden
                type="file"
                accept=".csv,text/csv,text/plain"
                aria-label="Opt-outs CSV file"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f) importer.mutate(f);
                  e.target.value = '';
                }}
              />
            </Button>
            <Button variant="contained" startIcon={<AddIcon />} onClick={() => setAdding(true)}>
              Add
            </Button>
          </>
        }
      />
      <ProblemAlert error={exporter.error ?? importer.error} />
      {imported && (
        <Alert severity={imported.rejected ? 'warning' : 'success'} sx={{ mb: 2 }} onClose={() => importer.reset()}>
          {formatCount(imported.recorded)} numbers opted out from {formatCount(imported.lines)} lines; {formatCount(imported.rejected)} rejected.
          {(imported.first_rejected ?? []).slice(0, 5).map((r) => (
            <div key={r.line}>
              line {r.line}: {r.reason}
            </div>
          ))}
        </Alert>
      )}
      <CursorGrid<Entry>
        label="Opt-outs"
        queryKey={['opt-outs']}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/opt-outs', { params: { query: { cursor, limit } } }));
          return { items: page.data, next_cursor: page.next_cursor };
        }}
        columns={columns}
        getRowId={(e) => `${e.number}/${e.scope}/${e.sender ?? ''}`}
        renderCard={(e) => (
          <Stack direction="row" sx={{ alignItems: 'center' }}>
            <Stack sx={{ flexGrow: 1 }}>
              <Typography variant="body2">
                <b>{plusPhone(e.number)}</b> · {e.scope}
                {e.sender ? ` (${e.sender})` : ''}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {e.source}
                {e.keyword ? ` "${e.keyword}"` : ''} · {formatTime(e.at)}
              </Typography>
            </Stack>
            <IconButton aria-label={`Opt ${plusPhone(e.number)} in again`} onClick={() => setLifting(e)}>
              <UndoIcon />
            </IconButton>
          </Stack>
        )}
        empty={
          <EmptyState title="No opt-outs" action={<Button variant="contained" onClick={() => setAdding(true)}>Add numbers</Button>}>
            Numbers that reply STOP are added here automatically. Add numbers by hand, or import a CSV of them.
          </EmptyState>
        }
      />
      <KeywordsPanel />
      <AddOptOutsDialog open={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={lifting !== null}
        title={`Opt ${plusPhone(lifting?.number)} in again?`}
        confirm="Opt in again"
        busy={lift.isPending}
        onConfirm={() => lifting && lift.mutate(lifting)}
        onClose={() => {
          setLifting(null);
          lift.reset();
        }}
      >
        <ProblemAlert error={lift.error} />
        The number can be messaged again. Only opt-outs the account recorded itself (by hand or import) can be lifted here: a
        number that replied STOP opts in again by replying START.
      </ConfirmDialog>
    </>
  );
}
