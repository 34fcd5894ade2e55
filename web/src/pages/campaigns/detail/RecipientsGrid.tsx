import { useState } from 'react';
import { Button, MenuItem, Stack, TextField, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../../api/client';
import { unwrap } from '../../../api/problem';
import { saveBlob } from '../../../lib/download';
import { CursorGrid } from '../../../components/CursorGrid';
import { EmptyState } from '../../../components/EmptyState';
import { ProblemAlert } from '../../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../../lib/format';

type Recipient = Schemas['CampaignRecipient'];
type RState = 'pending' | 'sending' | 'sent' | 'skipped' | 'unknown';
type Status = Schemas['Status'];

const states: RState[] = ['pending', 'sending', 'sent', 'skipped', 'unknown'];
const statuses: Status[] = ['accepted', 'queued', 'submitted', 'delivered', 'undelivered', 'expired', 'rejected', 'failed'];

const columns: GridColDef<Recipient>[] = [
  { field: 'to', headerName: 'To', width: 160 },
  { field: 'state', headerName: 'State', width: 100 },
  { field: 'status', headerName: 'Status', width: 120 },
  { field: 'sent_at', headerName: 'Sent', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'price', headerName: 'Price', width: 100, valueFormatter: (v: number) => formatMoney(v) },
  reasonColumn(false),
];

function reasonColumn(ab: boolean): GridColDef<Recipient> {
  return {
    field: 'reason',
    headerName: 'Reason',
    flex: 1,
    minWidth: 160,
    valueGetter: (_v, r) =>
      [
        r.reason,
        r.not_before && `not before ${formatTime(r.not_before)}`,
        // The rest of an A/B test's audience (variant 0) waits for the winner.
        ab && r.state === 'pending' && r.variant === 0 && !r.reason && 'held back for the winner',
      ]
        .filter(Boolean)
        .join(', '),
  };
}

const byColumn: Record<'variant' | 'step', GridColDef<Recipient>> = {
  variant: { field: 'variant', headerName: 'Variant', width: 80, type: 'number', valueFormatter: (v: number) => (v ? String(v) : 'rest') },
  step: { field: 'step', headerName: 'Step', width: 70, type: 'number', valueFormatter: (v: number) => String(v) },
};

/** RecipientsGrid lists a campaign's recipients with state and status filters and the CSV of all of them. */
export function RecipientsGrid({ id, by }: { id: number; by?: 'variant' | 'step' }) {
  const [state, setState] = useState<RState | ''>('');
  const [status, setStatus] = useState<Status | ''>('');
  const [csvError, setCsvError] = useState<unknown>(null);
  const filters = { state: state || undefined, status: status || undefined };

  const download = async () => {
    setCsvError(null);
    try {
      const res = await api.GET('/v1/campaigns/{id}/recipients', { params: { path: { id }, query: { ...filters, format: 'csv' } }, parseAs: 'blob' });
      const blob = unwrap(res) as Blob;
      saveBlob(blob, `campaign-${id}-recipients.csv`);
    } catch (e) {
      setCsvError(e);
    }
  };

  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Recipients
        </Typography>
        <TextField select size="small" label="State" value={state} onChange={(e) => setState(e.target.value as RState | '')} sx={{ minWidth: 140 }}>
          <MenuItem value="">Any</MenuItem>
          {states.map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField select size="small" label="Status" value={status} onChange={(e) => setStatus(e.target.value as Status | '')} sx={{ minWidth: 140 }}>
          <MenuItem value="">Any</MenuItem>
          {statuses.map((s) => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <Button startIcon={<DownloadIcon />} onClick={() => void download()}>
          CSV
        </Button>
      </Stack>
      <ProblemAlert error={csvError} onClose={() => setCsvError(null)} />
      <CursorGrid<Recipient>
        label="Recipients"
        queryKey={['campaign-recipients', id, filters]}
        fetchPage={async (cursor, limit) => {
          const r = unwrap(await api.GET('/v1/campaigns/{id}/recipients', { params: { path: { id }, query: { ...filters, cursor, limit } } })) as Schemas['RecipientPage'];
          return { items: r.data, next_cursor: r.next_cursor };
        }}
        columns={by ? [...columns.slice(0, 3), byColumn[by], ...columns.slice(3, -1), reasonColumn(by === 'variant')] : columns}
        refetchInterval={10_000}
        renderCard={(r) => (
          <Stack spacing={0.25}>
            <Typography variant="body2">
              {r.to} · {r.state}
              {r.status ? ` · ${r.status}` : ''}
            </Typography>
            {r.reason && (
              <Typography variant="caption" color="text.secondary">
                {r.reason}
              </Typography>
            )}
          </Stack>
        )}
        empty={<EmptyState title={state || status ? 'No recipient matches' : 'No recipients yet'}>{state || status ? 'Change or clear the filters.' : 'Recipients are set when the campaign is launched.'}</EmptyState>}
      />
    </Stack>
  );
}
