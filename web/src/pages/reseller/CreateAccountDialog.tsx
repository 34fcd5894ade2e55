import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography,
} from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { accountsKey, fetchPlans, topUp } from './accountsApi';
import { amountError } from '../../lib/amount';
import { nameError } from './forms';

type Created = Schemas['AccountsCreated'];
type Kind = 'customer' | 'reseller';

/** The outcome of a creation: the account, and what failed after it was made. */
interface Outcome {
  created: Created;
  laterError?: unknown;
}

/**
 * CreateAccountDialog creates an account (a reseller: a sub-account below
 * itself; an admin: a customer or a reseller), gives it a plan and an
 * opening credit, then shows its secrets once.
 */
export function CreateAccountDialog({ open, admin, onClose }: { open: boolean; admin: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('customer');
  const [plan, setPlan] = useState('');
  const [credit, setCredit] = useState('');
  const [touched, setTouched] = useState(false);
  const plans = useQuery({ queryKey: ['plans'], queryFn: fetchPlans, enabled: open });

  const m = useMutation({
    mutationFn: async (): Promise<Outcome> => {
      const created = unwrap(
        await api.POST('/v1/accounts', { body: { name: name.trim(), kind: admin ? kind : 'customer' } }),
      );
      const id = created.account.id;
      try {
        if (plan) {
          unwrap(await api.PUT('/v1/accounts/{id}/plan', { params: { path: { id } }, body: { plan_id: plan } }));
        }
        if (credit.trim()) await topUp(id, credit.trim(), 'Opening credit');
      } catch (e) {
        return { created, laterError: e };
      }
      return { created };
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: accountsKey });
      void qc.invalidateQueries({ queryKey: ['balance'] });
    },
  });

  const close = () => {
    setName('');
    setKind('customer');
    setPlan('');
    setCredit('');
    setTouched(false);
    m.reset();
    onClose();
  };
  const nameErr = touched ? nameError(name) : undefined;
  const creditErr = touched ? amountError(credit, true) : undefined;
  const submit = () => {
    setTouched(true);
    if (!nameError(name) && !amountError(credit, true)) m.mutate();
  };
  const done = m.data;

  return (
    <Dialog open={open} onClose={close} aria-labelledby="create-account-title" fullWidth maxWidth="sm">
      <DialogTitle id="create-account-title">{done ? `${done.created.account.name} is ready` : admin ? 'New account' : 'New sub-account'}</DialogTitle>
      <DialogContent>
        {done ? (
          <Stack spacing={1.5}>
            {done.laterError ? (
              <Alert severity="warning" role="alert">
                The account was created, but {(done.laterError as ProblemError).message}. Set its plan or credit from the list.
              </Alert>
            ) : null}
            <Alert severity="info">These secrets are shown only now: give them to the account's owner.</Alert>
            <Secret label="API key" value={done.created.api_key} />
            <Secret label="SMPP system_id" value={done.created.smpp_system_id} />
            <Secret label="SMPP password" value={done.created.smpp_password} />
            <Secret label="Webhook secret" value={done.created.webhook_secret} />
          </Stack>
        ) : (
          <Stack spacing={2} sx={{ mt: 1 }}>
            <ProblemAlert error={m.error} />
            <TextField
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={!!(nameErr || fieldError(m.error, 'name'))}
              helperText={nameErr || fieldError(m.error, 'name')}
              autoFocus
            />
            {admin && (
              <TextField select label="Kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                <MenuItem value="customer">Customer</MenuItem>
                <MenuItem value="reseller">Reseller</MenuItem>
              </TextField>
            )}
            <TextField
              select
              label="Price plan"
              value={plan}
              onChange={(e) => setPlan(e.target.value)}
              helperText={plans.data?.length === 0 ? 'No plan yet: the account pays your default prices. Create plans under Plans.' : 'Leave empty for the default prices'}
            >
              <MenuItem value="">Default prices</MenuItem>
              {(plans.data ?? []).map((p) => (
                <MenuItem key={p.id} value={p.id}>
                  {p.name} ({p.currency})
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label="Opening credit"
              value={credit}
              onChange={(e) => setCredit(e.target.value)}
              error={!!creditErr}
              helperText={creditErr || (admin ? 'Optional: recorded as a payment' : 'Optional: moved from your balance')}
              slotProps={{ htmlInput: { inputMode: 'decimal' } }}
            />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {done ? (
          <Button variant="contained" onClick={close}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="contained" onClick={submit} disabled={m.isPending}>
              Create
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
        {value}
      </Typography>
    </div>
  );
}
