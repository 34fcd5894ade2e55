import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney } from '../../lib/format';
import { type Account, accountsKey, topUp } from './accountsApi';
import { amountError } from '../../lib/amount';

/**
 * TopUpDialog credits an account. A reseller's top-up moves money from
 * its own balance; an admin's records a payment received.
 */
export function TopUpDialog({ account, transfer, onClose }: { account: Account | null; transfer: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useMutation({
    mutationFn: () => topUp(account!.id, amount.trim(), reference.trim()),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: accountsKey });
      void qc.invalidateQueries({ queryKey: ['balance'] });
      close();
    },
  });
  const close = () => {
    setAmount('');
    setReference('');
    setTouched(false);
    m.reset();
    onClose();
  };
  const amountErr = touched ? amountError(amount) : undefined;
  const refErr = touched && !reference.trim() ? 'Say what the money is for' : undefined;
  const submit = () => {
    setTouched(true);
    if (!amountError(amount) && reference.trim()) m.mutate();
  };
  const cur = account?.balance?.currency ?? 'EUR';
  return (
    <Dialog open={account !== null} onClose={close} aria-labelledby="topup-title" fullWidth maxWidth="xs">
      <DialogTitle id="topup-title">Top up {account?.name}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          {transfer ? 'The amount moves from your balance to this account at once.' : 'Record a payment received (bank transfer, cash).'}{' '}
          Its balance now: {formatMoney(account?.balance?.balance, cur)}.
        </DialogContentText>
        <ProblemAlert error={m.error} />
        <Stack spacing={2}>
          <TextField
            label={`Amount (${cur})`}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={!!(amountErr || fieldError(m.error, 'amount'))}
            helperText={amountErr || fieldError(m.error, 'amount') || 'Such as 25.50'}
            slotProps={{ htmlInput: { inputMode: 'decimal' } }}
            autoFocus
          />
          <TextField
            label="Reference"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            error={!!(refErr || fieldError(m.error, 'reference'))}
            helperText={refErr || fieldError(m.error, 'reference') || 'Shown in both ledgers, such as "June credit"'}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={m.isPending}>
          Top up
        </Button>
      </DialogActions>
    </Dialog>
  );
}
