import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import type { ContactList } from '../contacts/queries';

/** ListNameDialog creates a list, or renames one (list given). */
export function ListNameDialog(props: { open: boolean; list?: ContactList; onClose: () => void; onSaved?: (l: ContactList) => void }) {
  const { open, list, onClose, onSaved } = props;
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const save = useMutation({
    mutationFn: async () =>
      list
        ? unwrap(await api.PATCH('/v1/lists/{id}', { params: { path: { id: list.id } }, body: { name: name.trim() } }))
        : unwrap(await api.POST('/v1/lists', { body: { name: name.trim() } })),
    onSuccess: (l) => {
      qc.invalidateQueries({ queryKey: ['lists'] });
      qc.setQueryData(['list', l.id], l);
      onSaved?.(l);
      onClose();
    },
  });
  useEffect(() => {
    if (open) {
      setName(list?.name ?? '');
      save.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const tooLong = new TextEncoder().encode(name.trim()).length > 100;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && !tooLong) save.mutate();
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="list-name-title" fullWidth maxWidth="xs">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="list-name-title">{list ? 'Rename list' : 'New list'}</DialogTitle>
        <DialogContent>
          <ProblemAlert error={save.error} />
          <TextField
            autoFocus
            label="List name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            fullWidth
            required
            error={tooLong || Boolean(fieldError(save.error, 'name'))}
            helperText={tooLong ? 'At most 100 bytes' : fieldError(save.error, 'name') ?? 'Unique in the account'}
            sx={{ mt: 1 }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending || !name.trim() || tooLong}>
            {list ? 'Rename' : 'Create list'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
