import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { amountError, toMicros } from '../../lib/amount';
import { askStatusLabel, noteError } from './topupAsk';

type Ask = Schemas['TopUpAsk'];

/** AskStatusChip shows a request's status. */
export function AskStatusChip({ status }: { status: string }) {
  const color = status === 'topped_up' ? 'success' : status === 'declined' ? 'default' : 'primary';
  return <Chip size="small" variant="outlined" color={color} label={askStatusLabel(status)} />;
}

/** AskDialog asks the reseller (or the platform) for a top-up. */
function AskDialog({ open, currency, onClose }: { open: boolean; currency: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const close = () => {
    setAmount('');
    setNote('');
    setTouched(false);
    m.reset();
    onClose();
  };
  const m = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/topup-requests', { body: { amount: toMicros(amount), note: note.trim() } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['topup-requests'] });
      close();
    },
  });
  const amountErr = touched ? amountError(amount) : undefined;
  const noteErr = touched ? noteError(note) : undefined;
  const submit = () => {
    setTouched(true);
    if (!amountError(amount) && !noteError(note)) m.mutate();
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="ask-title" fullWidth maxWidth="xs">
      <DialogTitle id="ask-title">Request a top-up</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Your reseller (or the platform operator) sees the request and tops the account up or declines it.
        </DialogContentText>
        <ProblemAlert error={m.error} />
        <Stack spacing={2}>
          <TextField
            label={`Amount (${currency})`}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={!!(amountErr || fieldError(m.error, 'amount'))}
            helperText={amountErr || fieldError(m.error, 'amount') || 'Such as 25.50'}
            slotProps={{ htmlInput: { inputMode: 'decimal' } }}
            autoFocus
          />
          <TextField
            label="Note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            error={!!(noteErr || fieldError(m.error, 'note'))}
            helperText={noteErr || fieldError(m.error, 'note') || 'Optional: what the money is for'}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={m.isPending}>
          Send request
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** TopUpAsks lets the account ask for a top-up and lists its requests, pending first. */
export function TopUpAsks({ currency, canAsk }: { currency: string; canAsk: boolean }) {
  const [asking, setAsking] = useState(false);
  const columns: GridColDef<Ask>[] = [
    { field: 'created_at', headerName: 'Asked', width: 190, valueFormatter: (v: string) => formatTime(v) },
    { field: 'amount', headerName: 'Amount', width: 140, type: 'number', valueFormatter: (v: number, r) => formatMoney(v, r.currency) },
    { field: 'note', headerName: 'Note', flex: 1, minWidth: 160 },
    { field: 'status', headerName: 'Status', width: 130, renderCell: (p) => <AskStatusChip status={p.row.status} /> },
    { field: 'resolved_at', headerName: 'Resolved', width: 190, valueFormatter: (v?: string) => (v ? formatTime(v) : '') },
  ];
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack spacing={1.5}>
        <Typography variant="h6" component="h2">
          Top up
        </Typography>
        <Typography color="text.secondary">
          Your reseller or the platform operator tops up the account; it shows here and in the ledger at once. Ask for a
          top-up below. Paying online from this page waits for a payment provider on the gateway.
        </Typography>
        {canAsk && (
          <Box>
            <Button variant="contained" onClick={() => setAsking(true)}>
              Request a top-up
            </Button>
          </Box>
        )}
        <CursorGrid<Ask>
          label="Top-up requests"
          queryKey={['topup-requests', 'own']}
          fetchPage={async (cursor, limit) => {
            const page = unwrap(await api.GET('/v1/topup-requests', { params: { query: { scope: 'own', cursor, limit } } }));
            return { items: page.items, next_cursor: page.next_cursor || undefined };
          }}
          columns={columns}
          renderCard={(a) => (
            <Stack spacing={0.5}>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography sx={{ flexGrow: 1 }}>{formatMoney(a.amount, a.currency)}</Typography>
                <AskStatusChip status={a.status} />
              </Stack>
              <Typography variant="caption">Asked {formatTime(a.created_at)}</Typography>
              {a.note && <Typography variant="body2">{a.note}</Typography>}
            </Stack>
          )}
          empty={<Typography color="text.secondary">No top-up requests yet.</Typography>}
        />
      </Stack>
      <AskDialog open={asking} currency={currency} onClose={() => setAsking(false)} />
    </Paper>
  );
}
