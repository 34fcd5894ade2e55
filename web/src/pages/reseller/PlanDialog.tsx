import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, IconButton, Stack, TextField, Typography,
} from '@mui/material';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { cleanPrices, currencyError, nameError, priceErrors, type PriceRow } from './forms';

/** PlanDialog creates a price plan: prices per segment by destination prefix, in one currency. */
export function PlanDialog({ open, currency, onClose }: { open: boolean; currency: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [cur, setCur] = useState(currency);
  const [isDefault, setDefault] = useState(false);
  const [rows, setRows] = useState<PriceRow[]>([{ prefix: '', price: '' }]);
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/plans', { body: { name: name.trim(), currency: cur, is_default: isDefault, prices: cleanPrices(rows) } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['plans'] });
      close();
    },
  });
  const close = () => {
    setName('');
    setDefault(false);
    setRows([{ prefix: '', price: '' }]);
    setTouched(false);
    m.reset();
    onClose();
  };
  const errs = priceErrors(rows);
  const valid = !nameError(name) && !currencyError(cur) && !errs.list && errs.rows.every((e) => !e);
  const submit = () => {
    setTouched(true);
    if (valid) m.mutate();
  };
  const setRow = (i: number, r: Partial<PriceRow>) => setRows((rs) => rs.map((x, k) => (k === i ? { ...x, ...r } : x)));

  return (
    <Dialog open={open} onClose={close} aria-labelledby="plan-title" fullWidth maxWidth="sm">
      <DialogTitle id="plan-title">New price plan</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <ProblemAlert error={m.error} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} sx={{ flexGrow: 1 }}
              error={touched && !!(nameError(name) || fieldError(m.error, 'name'))}
              helperText={(touched && nameError(name)) || fieldError(m.error, 'name')} />
            <TextField label="Currency" value={cur} onChange={(e) => setCur(e.target.value.toUpperCase())} sx={{ width: { sm: 120 } }}
              error={touched && !!(currencyError(cur) || fieldError(m.error, 'currency'))}
              helperText={(touched && currencyError(cur)) || fieldError(m.error, 'currency')} />
          </Stack>
          <FormControlLabel control={<Checkbox checked={isDefault} onChange={(e) => setDefault(e.target.checked)} />}
            label="Default: accounts without a plan of their own pay these prices" />
          <Typography variant="subtitle2" component="h3">
            Prices per segment
          </Typography>
          {rows.map((r, i) => (
            <Stack key={i} direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
              <TextField size="small" label={`Prefix ${i + 1}`} placeholder="44" value={r.prefix}
                onChange={(e) => setRow(i, { prefix: e.target.value })} error={touched && !!errs.rows[i]}
                helperText={touched ? errs.rows[i] : undefined} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
              <TextField size="small" label={`Price ${i + 1}`} placeholder="0.035" value={r.price}
                onChange={(e) => setRow(i, { price: e.target.value })} error={touched && !!errs.rows[i]}
                slotProps={{ htmlInput: { inputMode: 'decimal' } }} />
              <IconButton aria-label={`Remove price ${i + 1}`} onClick={() => setRows((rs) => rs.filter((_, k) => k !== i))}>
                <DeleteIcon />
              </IconButton>
            </Stack>
          ))}
          {touched && errs.list && <Typography color="error" variant="body2">{errs.list}</Typography>}
          {fieldError(m.error, 'prices') && <Typography color="error" variant="body2">{fieldError(m.error, 'prices')}</Typography>}
          <Button onClick={() => setRows((rs) => [...rs, { prefix: '', price: '' }])} sx={{ alignSelf: 'flex-start' }}>
            Add a price
          </Button>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={m.isPending}>
          Create plan
        </Button>
      </DialogActions>
    </Dialog>
  );
}
