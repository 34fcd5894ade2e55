import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Alert, Box, Button, CircularProgress, Link, Stack, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { AuthCard } from './AuthCard';
import { useSignupOpen } from './useSignupOpen';
import { emailProblem, passwordProblem } from './validate';

/** SignUpPage creates an account and its owner when the gateway's sign-up is open; the owner then verifies the email. */
export default function SignUpPage() {
  const open = useSignupOpen();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const register = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/auth/register', { body: { account_name: name.trim(), email: email.trim(), password } })),
  });
  const nameErr = touched && (name.trim() === '' ? 'Your company or project name' : name.trim().length > 100 ? 'At most 100 characters' : undefined);
  const errs = { email: touched ? emailProblem(email) : undefined, password: touched ? passwordProblem(password) : undefined };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!name.trim() || name.trim().length > 100 || emailProblem(email) || passwordProblem(password)) return;
    register.mutate();
  };
  const signIn = (
    <Typography variant="body2">
      Already have an account?{' '}
      <Link component={RouterLink} to="/sign-in">
        Sign in
      </Link>
    </Typography>
  );

  if (open === undefined) {
    return (
      <AuthCard title="Create an account">
        <CircularProgress aria-label="Loading" />
      </AuthCard>
    );
  }
  if (!open) {
    return (
      <AuthCard title="Sign-up is closed">
        <Typography>This gateway does not take sign-ups: your reseller or the platform operator creates accounts.</Typography>
        {signIn}
      </AuthCard>
    );
  }
  if (register.isSuccess) {
    return (
      <AuthCard title="Check your mailbox">
        <Alert severity="success" role="status">
          We sent a mail to {email.trim()}: follow its link to verify your address. You may sign in now; sending and keys wait
          for the verification.
        </Alert>
        {signIn}
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Create an account">
      <Box component="form" onSubmit={submit} noValidate>
        <Stack spacing={2}>
          <ProblemAlert error={register.error} />
          <TextField
            label="Account name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={!!(nameErr || fieldError(register.error, 'account_name'))}
            helperText={nameErr || fieldError(register.error, 'account_name')}
            autoComplete="organization"
            required
            autoFocus
          />
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={!!(errs.email || fieldError(register.error, 'email'))}
            helperText={errs.email || fieldError(register.error, 'email')}
            required
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={!!(errs.password || fieldError(register.error, 'password'))}
            helperText={errs.password || fieldError(register.error, 'password') || 'At least 10 characters'}
            required
          />
          <Button type="submit" variant="contained" size="large" disabled={register.isPending}>
            Create account
          </Button>
          {signIn}
        </Stack>
      </Box>
    </AuthCard>
  );
}
