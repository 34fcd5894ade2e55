import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, Grid, MenuItem, Stack, TextField, Typography,
} from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import {
  bindTypes, type BindType, type Carrier, carrierBody, carrierErrors, type CarrierForm, carrierForm, carrierPatch, emptyCarrier,
} from './config';

/** carriersKey prefixes the stored carriers' queries. */
export const carriersKey = ['carriers'] as const;

/**
 * CarrierDialog creates a stored carrier (editing null) or edits one: its
 * connection, throughput and TLS settings. The password is write-only:
 * left blank, the stored one stays.
 */
export function CarrierDialog({ open, editing, onClose }: { open: boolean; editing: Carrier | null; onClose: () => void }) {
  return open ? <CarrierEditor key={editing?.name ?? ''} editing={editing} onClose={onClose} /> : null;
}

function CarrierEditor({ editing, onClose }: { editing: Carrier | null; onClose: () => void }) {
  const qc = useQueryClient();
  const creating = editing === null;
  const [f, setF] = useState<CarrierForm>(editing ? carrierForm(editing) : emptyCarrier);
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: async () =>
      creating
        ? unwrap(await api.POST('/v1/carriers', { body: carrierBody(f, true) }))
        : unwrap(await api.PATCH('/v1/carriers/{name}', { params: { path: { name: editing.name } }, body: carrierPatch(editing, f) })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: carriersKey });
      void qc.invalidateQueries({ queryKey: ['operator'] });
      onClose();
    },
  });
  const errs = carrierErrors(f, creating);
  const set = (p: Partial<CarrierForm>) => setF((x) => ({ ...x, ...p }));
  const submit = () => {
    setTouched(true);
    if (Object.keys(errs).length === 0) m.mutate();
  };
  /** props wires a text field: value, change, and its error from the form or the API. */
  const props = (k: keyof CarrierForm, label: string, help?: string) => {
    const err = (touched && errs[k]) || fieldError(m.error, k);
    return {
      label, value: f[k] as string, onChange: (e: { target: { value: string } }) => set({ [k]: e.target.value } as Partial<CarrierForm>),
      error: !!err, helperText: err || help, fullWidth: true,
    };
  };
  const title = creating ? 'New carrier' : `Edit carrier ${editing.name}`;
  return (
    <Dialog open onClose={onClose} aria-labelledby="carrier-title" fullWidth maxWidth="md">
      <DialogTitle id="carrier-title">{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <ProblemAlert error={m.error} />
          <Typography variant="body2" color="text.secondary">
            {creating
              ? 'A new carrier binds on every gateway instance within seconds, without a restart; routes may name it at once.'
              : 'Changes apply within seconds, without a restart: the binds are replaced gracefully.'}
          </Typography>
          <Grid container spacing={2}>
            {creating && (
              <Grid size={{ xs: 12, sm: 6 }}>
                <TextField {...props('name', 'Name', 'Letters, digits, -, _ and .; it cannot change')} autoFocus />
              </Grid>
            )}
            <Grid size={{ xs: 12, sm: 6 }}>
              <TextField {...props('address', 'Address', 'host:port of the SMSC')} />
            </Grid>
            <Grid size={{ xs: 12, sm: 4 }}>
              <TextField {...props('system_id', 'System id')} />
            </Grid>
            <Grid size={{ xs: 12, sm: 4 }}>
              <TextField {...props('password', 'Password', creating ? 'At most 8 characters' : editing.password_set ? 'Leave blank to keep the stored one' : 'None stored')}
                type="password" autoComplete="new-password" />
            </Grid>
            <Grid size={{ xs: 12, sm: 4 }}>
              <TextField {...props('system_type', 'System type', 'Often empty')} />
            </Grid>
            <Grid size={{ xs: 12, sm: 4 }}>
              <TextField {...props('bind_type', 'Bind type')} select onChange={(e) => set({ bind_type: e.target.value as BindType })}>
                {bindTypes.map((b) => (
                  <MenuItem key={b} value={b}>
                    {b}
                  </MenuItem>
                ))}
              </TextField>
            </Grid>
            <Grid size={{ xs: 6, sm: 4 }}>
              <TextField {...props('binds', 'Binds', '1 to 64')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            </Grid>
            <Grid size={{ xs: 6, sm: 4 }}>
              <TextField {...props('window', 'Window', 'Outstanding submits per bind')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            </Grid>
            <Grid size={{ xs: 6, sm: 4 }}>
              <TextField {...props('tps', 'Segments per second', 'Over all binds')} slotProps={{ htmlInput: { inputMode: 'decimal' } }} />
            </Grid>
            <Grid size={{ xs: 6, sm: 4 }}>
              <TextField {...props('max_inbound', 'Max inbound', 'Unanswered receipts and MOs per bind')} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            </Grid>
            <Grid size={{ xs: 12, sm: 4 }}>
              <TextField {...props('optout_errors', 'Opt-out error codes', 'Such as 0x45, 005')} />
            </Grid>
            <Grid size={{ xs: 12, sm: 6 }}>
              <TextField {...props('outbind_listen', 'Outbind listen', 'host:port to accept outbinds on')} />
            </Grid>
            <Grid size={12}>
              <FormControlLabel control={<Checkbox checked={f.tls} onChange={(e) => set({ tls: e.target.checked })} />} label="Connect over TLS" />
              {((touched && errs.tls) || fieldError(m.error, 'tls')) && (
                <Typography color="error" variant="body2">
                  {(touched && errs.tls) || fieldError(m.error, 'tls')}
                </Typography>
              )}
            </Grid>
            {f.tls && (
              <>
                <Grid size={{ xs: 12, sm: 6 }}>
                  <TextField {...props('tls_ca', 'CA file', 'PEM file on the gateway machines; empty: the system roots')} />
                </Grid>
                <Grid size={{ xs: 12, sm: 6 }}>
                  <TextField {...props('tls_server_name', 'Server name', 'Empty: the host of the address')} />
                </Grid>
                <Grid size={12}>
                  <FormControlLabel
                    control={<Checkbox checked={f.tls_insecure_skip_verify} onChange={(e) => set({ tls_insecure_skip_verify: e.target.checked })} />}
                    label="Skip certificate verification (test rigs only)"
                  />
                </Grid>
              </>
            )}
          </Grid>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={submit} loading={m.isPending}>
          {creating ? 'Create carrier' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
