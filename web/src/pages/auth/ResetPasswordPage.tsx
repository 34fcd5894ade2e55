import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Alert, Box, Button, Link, Stack, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { AuthCard } from './AuthCard';
import { emailProblem } from './validate';

/** ResetPasswordPage asks for a password reset link by email. */
export default function ResetPasswordPage() {
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const ask = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/auth/password-reset', { body: { email: email.trim() } })),
  });
  const err = touched ? emailProblem(email) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emailProblem(email)) return;
    ask.mutate();
  };
  return (
    <AuthCard title="Reset your password">
      {ask.isSuccess ? (
        <Alert severity="success" role="status">
          If a user has the address {email.trim()}, a link to set a new password is on its way. It works once, for a short
          while.
        </Alert>
      ) : (
        <Box component="form" onSubmit={submit} noValidate>
          <Stack spacing={2}>
            <Typography color="text.secondary">We mail you a link to set a new password.</Typography>
            <ProblemAlert error={ask.error} />
            <TextField
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={!!(err || fieldError(ask.error, 'email'))}
              helperText={err || fieldError(ask.error, 'email')}
              required
              autoFocus
            />
            <Button type="submit" variant="contained" size="large" disabled={ask.isPending}>
              Send the link
            </Button>
          </Stack>
        </Box>
      )}
      <Typography variant="body2">
        <Link component={RouterLink} to="/sign-in">
          Back to sign in
        </Link>
      </Typography>
    </AuthCard>
  );
}
