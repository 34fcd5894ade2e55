import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Box, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, Stack, TextField } from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { limitProblem, parseCidrs, smppPasswordProblem, systemIdProblem } from './smpp';

type Cred = Schemas['IdentitySMPPCredential'];

/** SmppDialog creates an SMPP credential (credential null) or changes one's ranges, limits and password. */
export function SmppDialog(props: { accountId: string; credential: Cred | null; onClose: () => void; onSaved: (c: Cred) => void }) {
  const { accountId: id, credential: c, onClose, onSaved } = props;
  const [systemId, setSystemId] = useState('');
  const [password, setPassword] = useState('');
  const [generate, setGenerate] = useState(false);
  const [cidrs, setCidrs] = useState(c ? c.allowed_cidrs.join('\n') : '');
  const [binds, setBinds] = useState(c ? String(c.bind_limit) : '');
  const [tps, setTps] = useState(c ? String(c.tps_limit) : '');
  const [touched, setTouched] = useState(false);

  const save = useMutation({
    mutationFn: async () => {
      const common = {
        allowed_cidrs: parseCidrs(cidrs),
        ...(binds.trim() ? { bind_limit: Number(binds) } : {}),
        ...(tps.trim() ? { tps_limit: Number(tps) } : {}),
      };
      if (!c) {
        return unwrap(
          await api.POST('/v1/accounts/{id}/smpp-credentials', {
            params: { path: { id } },
            body: { system_id: systemId.trim(), ...(password ? { password } : {}), ...common },
          }),
        );
      }
      return unwrap(
        await api.PATCH('/v1/accounts/{id}/smpp-credentials/{cred_id}', {
          params: { path: { id, cred_id: c.id } },
          body: { ...common, ...(generate ? { generate_password: true } : password ? { password } : {}) },
        }),
      );
    },
    onSuccess: onSaved,
  });

  const errs = {
    system_id: !c && touched ? systemIdProblem(systemId) : undefined,
    password: smppPasswordProblem(password),
    bind_limit: limitProblem(binds, 1000),
    tps_limit: limitProblem(tps, 1_000_000),
  };
  const err = (f: keyof typeof errs) => errs[f] || fieldError(save.error, f);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if ((!c && systemIdProblem(systemId)) || errs.password || errs.bind_limit || errs.tps_limit) return;
    save.mutate();
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby="smpp-title" fullWidth maxWidth="sm">
      <Box component="form" onSubmit={submit} noValidate>
        <DialogTitle id="smpp-title">{c ? `Change ${c.system_id}` : 'Create an SMPP credential'}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <ProblemAlert error={save.error} />
            {!c && (
              <TextField
                label="System ID"
                value={systemId}
                onChange={(e) => setSystemId(e.target.value)}
                error={!!err('system_id')}
                helperText={err('system_id') || '1 to 15 characters, unique on the gateway'}
                required
                autoFocus
              />
            )}
            {c && (
              <FormControlLabel
                control={<Checkbox checked={generate} onChange={(e) => setGenerate(e.target.checked)} />}
                label="Generate a new password (shown once)"
              />
            )}
            {!generate && (
              <TextField
                label={c ? 'New password' : 'Password'}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={!!err('password')}
                helperText={err('password') || (c ? 'Leave empty to keep the current one' : 'Leave empty to have one generated (shown once)')}
                autoComplete="new-password"
              />
            )}
            <TextField
              label="Allowed addresses"
              value={cidrs}
              onChange={(e) => setCidrs(e.target.value)}
              error={!!fieldError(save.error, 'allowed_cidrs')}
              helperText={fieldError(save.error, 'allowed_cidrs') || 'Addresses or ranges (CIDR), one per line; empty allows any address'}
              multiline
              minRows={2}
              placeholder={'203.0.113.0/24\n2001:db8::/32'}
            />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <TextField
                label="Bind limit"
                value={binds}
                onChange={(e) => setBinds(e.target.value)}
                error={!!err('bind_limit')}
                helperText={err('bind_limit') || 'Sessions at once; 0 for no limit'}
                slotProps={{ htmlInput: { inputMode: 'numeric' } }}
                fullWidth
              />
              <TextField
                label="TPS limit"
                value={tps}
                onChange={(e) => setTps(e.target.value)}
                error={!!err('tps_limit')}
                helperText={err('tps_limit') || 'Messages per second; 0 for no limit'}
                slotProps={{ htmlInput: { inputMode: 'numeric' } }}
                fullWidth
              />
            </Stack>
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            {c ? 'Save' : 'Create'}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
