import { useState, type FormEvent } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Alert, Box, Button, Link, Stack, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { AuthCard } from './AuthCard';
import { passwordProblem } from './validate';

/** ResetPasswordConfirmPage sets a new password with the token of the mailed link (?token=…). */
export default function ResetPasswordConfirmPage() {
  const [params] = useSearchParams();
  const linked = params.get('token') ?? '';
  const [pasted, setPasted] = useState('');
  const token = linked || pasted.trim();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [touched, setTouched] = useState(false);
  const reset = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/auth/password-reset/confirm', { body: { token, password } })),
  });
  const pwErr = touched ? passwordProblem(password) : undefined;
  const againErr = touched && again !== password ? 'The two passwords differ' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!token || passwordProblem(password) || again !== password) return;
    reset.mutate();
  };
  return (
    <AuthCard title="Set a new password">
      {reset.isSuccess ? (
        <Alert severity="success" role="status">
          Your password is changed, and every earlier session has ended.
        </Alert>
      ) : (
        <Box component="form" onSubmit={submit} noValidate>
          <Stack spacing={2}>
            <ProblemAlert error={reset.error} />
            {!linked && (
              <TextField
                label="Token from the mail"
                value={pasted}
                onChange={(e) => setPasted(e.target.value)}
                error={touched && !pasted.trim()}
                helperText={touched && !pasted.trim() ? 'Paste the token the mail gave you' : 'The mail holds a link or a token; paste the token here'}
                required
                autoComplete="one-time-code"
              />
            )}
            {fieldError(reset.error, 'token') && (
              <Typography variant="body2">
                <Link component={RouterLink} to="/reset-password">
                  Ask for a new link
                </Link>
              </Typography>
            )}
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={!!(pwErr || fieldError(reset.error, 'password'))}
              helperText={pwErr || fieldError(reset.error, 'password') || 'At least 10 characters'}
              required
              autoFocus={!!linked}
            />
            <TextField
              label="Repeat the new password"
              type="password"
              autoComplete="new-password"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              error={!!againErr}
              helperText={againErr}
              required
            />
            <Button type="submit" variant="contained" size="large" disabled={reset.isPending}>
              Set the password
            </Button>
          </Stack>
        </Box>
      )}
      <Button component={RouterLink} to="/sign-in" variant={reset.isSuccess ? 'contained' : 'text'}>
        Sign in
      </Button>
    </AuthCard>
  );
}
