import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Box, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { canManage } from './canManage';
import { DeliveriesGrid } from './DeliveriesGrid';
import { SecretRotation } from './SecretRotation';

/** urlProblem checks a webhook URL the way the API starts to: http or https, at most 2048 bytes. */
export function urlProblem(v: string): string | undefined {
  if (v === '') return undefined;
  if (new TextEncoder().encode(v).length > 2048) return 'At most 2048 bytes';
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'An http or https URL';
  } catch {
    return 'A full URL, such as https://example.com/sms-status';
  }
  return undefined;
}

/**
 * WebhooksTab sets the account's status callback URL, rotates the secret
 * signing the callbacks and lists the recent delivery attempts.
 */
export function WebhooksTab() {
  const { me } = useAuth();
  const id = me!.account_id;
  const manage = canManage(me);
  const qc = useQueryClient();
  const account = useQuery({
    queryKey: ['account', id],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}', { params: { path: { id } } })),
  });
  const [url, setUrl] = useState('');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (account.data) setUrl(account.data.webhook_url ?? '');
  }, [account.data]);
  const save = useMutation({
    mutationFn: async (webhook_url: string) =>
      unwrap(await api.PATCH('/v1/accounts/{id}', { params: { path: { id } }, body: { webhook_url } })),
    onSuccess: (a) => {
      qc.setQueryData(['account', id], a);
      setTouched(false);
    },
  });
  const local = touched ? urlProblem(url.trim()) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (urlProblem(url.trim())) return;
    save.mutate(url.trim());
  };
  const saved = account.data?.webhook_url ?? '';

  return (
    <Stack spacing={3}>
      <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
        <Box component="form" onSubmit={submit} noValidate>
          <Stack spacing={2}>
            <Typography variant="h6" component="h2">
              Status callback URL
            </Typography>
            <Typography color="text.secondary">
              The gateway POSTs every status change of your messages (delivered, failed…) to this URL, signed with the
              account's webhook secret. Leave it empty to receive none.
            </Typography>
            <ProblemAlert error={account.error || save.error} />
            {save.isSuccess && !touched && (
              <Alert severity="success">{saved ? 'Saved: callbacks go to the new URL.' : 'Saved: no callbacks are sent.'}</Alert>
            )}
            <TextField
              label="Webhook URL"
              type="url"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                setTouched(true);
              }}
              placeholder="https://example.com/sms-status"
              error={!!local || !!fieldError(save.error, 'webhook_url')}
              helperText={local || fieldError(save.error, 'webhook_url') || 'http or https; its host must resolve to a public address'}
              disabled={!manage || account.isLoading}
              fullWidth
            />
            {manage && (
              <Stack direction="row" spacing={1}>
                <Button type="submit" variant="contained" disabled={save.isPending || url.trim() === saved}>
                  Save
                </Button>
                {saved && (
                  <Button
                    onClick={() => {
                      setUrl('');
                      save.mutate('');
                    }}
                    disabled={save.isPending}
                  >
                    Remove
                  </Button>
                )}
              </Stack>
            )}
          </Stack>
        </Box>
      </Paper>
      <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
        <SecretRotation accountId={id} manage={manage} />
      </Paper>
      <Stack spacing={1}>
        <Typography variant="h6" component="h2">
          Recent deliveries
        </Typography>
        <Typography color="text.secondary">
          Each try at posting a status change, newest first: a 2xx answer acknowledges it; anything else is retried with
          backoff until the gateway gives up.
        </Typography>
        <DeliveriesGrid accountId={id} />
      </Stack>
    </Stack>
  );
}
