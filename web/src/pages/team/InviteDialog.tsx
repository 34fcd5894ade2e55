import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Alert, Box, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, MenuItem, Stack, TextField } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { emailProblem, passwordProblem } from '../auth/validate';
import type { Role } from './roles';

/**
 * InviteDialog adds a dashboard user. The API has no invitation link: the
 * new user gets a first password from whoever adds them and is mailed a
 * verification link; they can change the password, or reset it by mail.
 */
export function InviteDialog(props: { accountId: string; roles: Role[]; onClose: () => void; onAdded: () => void }) {
  const { accountId: id, roles, onClose, onAdded } = props;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [canSend, setCanSend] = useState(true);
  const [touched, setTouched] = useState(false);
  const add = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{id}/users', {
          params: { path: { id } },
          body: { email: email.trim(), password, role, ...(role === 'member' ? { can_send: canSend } : {}) },
        }),
      ),
    onSuccess: onAdded,
  });
  const errs = { email: touched ? emailProblem(email) : undefined, password: touched ? passwordProblem(password) : undefined };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emailProblem(email) || passwordProblem(password)) return;
    add.mutate();
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="invite-title" fullWidth maxWidth="xs">
      <Box component="form" onSubmit={submit} noValidate>
        <DialogTitle id="invite-title">Add a user</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <Alert severity="info">
              Give them a first password yourself; they are mailed a link to verify their address and can then change it or
              reset it from the sign-in page.
            </Alert>
            <ProblemAlert error={add.error} />
            <TextField
              label="Email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={!!(errs.email || fieldError(add.error, 'email'))}
              helperText={errs.email || fieldError(add.error, 'email')}
              required
              autoFocus
            />
            <TextField
              label="First password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={!!(errs.password || fieldError(add.error, 'password'))}
              helperText={errs.password || fieldError(add.error, 'password') || 'At least 10 characters'}
              required
            />
            <TextField select label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={!!fieldError(add.error, 'role')} helperText={fieldError(add.error, 'role') || 'Owners manage keys, users and settings; members use the dashboard'}>
              {roles.map((r) => (
                <MenuItem key={r} value={r}>
                  {r}
                </MenuItem>
              ))}
            </TextField>
            {role === 'member' && (
              <FormControlLabel control={<Checkbox checked={canSend} onChange={(e) => setCanSend(e.target.checked)} />} label="May send messages" />
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={add.isPending}>
            Add user
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
