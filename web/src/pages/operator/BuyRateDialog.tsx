import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, MenuItem, Stack, TextField } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { buyRateBody, buyRateErrors, type BuyRateForm } from './config';

/** buyRatesKey is the buy rates' query. */
export const buyRatesKey = ['buy-rates'] as const;

const empty: BuyRateForm = { carrier: '', prefix: '', price: '', currency: '', valid_from: '' };

/** BuyRateDialog records what a carrier charges per segment to a prefix, from a moment on. */
export function BuyRateDialog({ open, carriers, onClose }: { open: boolean; carriers: string[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<BuyRateForm>(empty);
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/buy-rates', { body: buyRateBody(f) })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: buyRatesKey });
      void qc.invalidateQueries({ queryKey: ['operator', 'routes'] });
      close();
    },
  });
  const close = () => {
    setF(empty);
    setTouched(false);
    m.reset();
    onClose();
  };
  const errs = buyRateErrors(f);
  const err = (k: keyof BuyRateForm) => (touched && errs[k]) || fieldError(m.error, k);
  const submit = () => {
    setTouched(true);
    if (Object.keys(errs).length === 0) m.mutate();
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="buy-rate-title" fullWidth maxWidth="xs">
      <DialogTitle id="buy-rate-title">New buy rate</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          It holds from its start until a later rate of the same carrier and prefix starts; least-cost routes and the margin report use it.
        </DialogContentText>
        <ProblemAlert error={m.error} />
        <Stack spacing={2}>
          <TextField select label="Carrier" value={f.carrier} onChange={(e) => setF({ ...f, carrier: e.target.value })}
            error={!!err('carrier')} helperText={err('carrier')}>
            {carriers.map((c) => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </TextField>
          <TextField label="Prefix" placeholder="44" value={f.prefix} onChange={(e) => setF({ ...f, prefix: e.target.value })}
            error={!!err('prefix')} helperText={err('prefix')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
          <TextField label="Price per segment" placeholder="0.0042" value={f.price} onChange={(e) => setF({ ...f, price: e.target.value })}
            error={!!err('price')} helperText={err('price')} slotProps={{ htmlInput: { inputMode: 'decimal' } }} />
          <TextField label="Currency" value={f.currency} onChange={(e) => setF({ ...f, currency: e.target.value.toUpperCase() })}
            error={!!err('currency')} helperText={err('currency') || 'Empty: the billing currency'} />
          <TextField label="From" type="datetime-local" value={f.valid_from} onChange={(e) => setF({ ...f, valid_from: e.target.value })}
            error={!!err('valid_from')} helperText={err('valid_from') || 'Empty: now'} slotProps={{ inputLabel: { shrink: true } }} />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" onClick={submit} loading={m.isPending}>
          Add rate
        </Button>
      </DialogActions>
    </Dialog>
  );
}
