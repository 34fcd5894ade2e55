import { useState, type FormEvent } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Box, Button, CircularProgress, Stack, TextField } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { ProblemAlert } from '../../components/ProblemAlert';
import { AuthCard } from './AuthCard';

/** VerifyEmailPage proves an email address with the token of the mailed link (?token=…). */
export default function VerifyEmailPage() {
  const [params, setParams] = useSearchParams();
  const [pasted, setPasted] = useState('');
  const token = params.get('token') ?? '';
  const { status } = useAuth();
  // A query, not an effect: the token is single use, and a query runs once per token.
  const verify = useQuery({
    queryKey: ['verify-email', token],
    queryFn: async () => unwrap(await api.POST('/v1/auth/verify-email', { body: { token } })),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  const next = status === 'signed-in' ? { to: '/', label: 'Go to the dashboard' } : { to: '/sign-in', label: 'Sign in' };
  return (
    <AuthCard title="Verify your email">
      {!token && (
        <Box component="form" noValidate onSubmit={(e: FormEvent) => (e.preventDefault(), pasted.trim() && setParams({ token: pasted.trim() }))}>
          <Stack spacing={2}>
            <TextField
              label="Token from the mail"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              helperText="The mail holds a link or a token; paste the token here"
              autoComplete="one-time-code"
              required
            />
            <Button type="submit" variant="contained" disabled={!pasted.trim()}>
              Verify
            </Button>
          </Stack>
        </Box>
      )}
      {verify.isLoading && <CircularProgress aria-label="Verifying" />}
      <ProblemAlert error={verify.error} />
      {verify.isSuccess && (
        <Alert severity="success" role="status">
          {verify.data.user.email} is verified.
        </Alert>
      )}
      <Button component={RouterLink} to={next.to} variant={verify.isSuccess ? 'contained' : 'text'}>
        {next.label}
      </Button>
    </AuthCard>
  );
}
