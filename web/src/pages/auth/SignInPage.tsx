import { useState, type FormEvent } from 'react';
import { Link as RouterLink, Navigate, useNavigate, useSearchParams } from 'react-router';
import { Box, Button, Link, Paper, Stack, TextField, Typography } from '@mui/material';
import { useAuth } from '../../auth/AuthProvider';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { useSignupOpen } from './useSignupOpen';

/** safeNext keeps a post-sign-in destination inside the app. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** SignInPage signs a user in with email and password. */
export default function SignInPage() {
  const { status, signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  const signupOpen = useSignupOpen();

  if (status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box component="main" sx={{ display: 'grid', placeItems: 'center', minHeight: '100vh', p: 2 }}>
      <Paper variant="outlined" sx={{ p: { xs: 3, sm: 4 }, width: '100%', maxWidth: 400 }}>
        <Box component="form" onSubmit={submit} noValidate>
          <Stack spacing={2}>
            <Typography variant="h5" component="h1">
              Sign in to Gallant SMS
            </Typography>
            <ProblemAlert error={error} />
            <TextField
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={!!fieldError(error, 'email')}
              helperText={fieldError(error, 'email')}
              required
              autoFocus
            />
            <TextField
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={!!fieldError(error, 'password')}
              helperText={fieldError(error, 'password')}
              required
            />
            <Button type="submit" variant="contained" size="large" disabled={busy || status === 'loading'}>
              Sign in
            </Button>
            <Stack direction="row" spacing={2} sx={{ justifyContent: 'space-between', flexWrap: 'wrap' }}>
              <Link component={RouterLink} to="/reset-password" variant="body2">
                Forgot your password?
              </Link>
              {signupOpen && (
                <Link component={RouterLink} to="/sign-up" variant="body2">
                  Create an account
                </Link>
              )}
            </Stack>
          </Stack>
        </Box>
      </Paper>
    </Box>
  );
}
