import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { splitNumbers } from '../contacts/phones';

/** AddOptOutsDialog records opt-outs for up to 1,000 numbers, for the account or one of its senders. */
export function AddOptOutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [numbers, setNumbers] = useState('');
  const [scope, setScope] = useState<'account' | 'number'>('account');
  const [sender, setSender] = useState('');
  const list = splitNumbers(numbers);
  const save = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/opt-outs', { body: { numbers: list, scope, sender: scope === 'number' ? sender.trim() : undefined } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['opt-outs'] });
      qc.invalidateQueries({ queryKey: ['contacts'] });
      onClose();
    },
  });
  useEffect(() => {
    if (open) {
      setNumbers('');
      save.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const tooMany = list.length > 1000;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (list.length && !tooMany) save.mutate();
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="add-optouts-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="add-optouts-title">Opt numbers out</DialogTitle>
        <DialogContent>
          <ProblemAlert error={save.error} />
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField
              label="Numbers"
              placeholder={'+447700900123\n+447700900124'}
              multiline
              minRows={3}
              value={numbers}
              onChange={(e) => setNumbers(e.target.value)}
              error={tooMany || Boolean(fieldError(save.error, 'numbers'))}
              helperText={tooMany ? 'At most 1,000 at once: import a CSV for more' : fieldError(save.error, 'numbers') ?? 'International format, one a line'}
            />
            <TextField select label="Scope" size="small" value={scope} onChange={(e) => setScope(e.target.value as 'account' | 'number')}>
              <MenuItem value="account">Every message of the account</MenuItem>
              <MenuItem value="number">Messages from one sender</MenuItem>
            </TextField>
            {scope === 'number' && (
              <TextField
                label="Sender"
                size="small"
                value={sender}
                onChange={(e) => setSender(e.target.value)}
                error={Boolean(fieldError(save.error, 'sender'))}
                helperText={fieldError(save.error, 'sender') ?? 'The account number or short code'}
              />
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending || list.length === 0 || tooMany || (scope === 'number' && !sender.trim())}>
            Opt out {list.length || ''}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
