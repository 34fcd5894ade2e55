import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Box, Button, Stack, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ProblemAlert } from '../../components/ProblemAlert';
import { SecretDialog } from './SecretDialog';

/**
 * SecretRotation rotates the secret signing the account's callbacks,
 * after a confirmation, and shows the new one once.
 */
export function SecretRotation({ accountId, manage }: { accountId: string; manage: boolean }) {
  const [asking, setAsking] = useState(false);
  const [secret, setSecret] = useState('');
  const rotate = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/accounts/{id}/webhook-secret', { params: { path: { id: accountId } } })),
    onSuccess: (v) => {
      setAsking(false);
      setSecret(v.webhook_secret);
    },
  });
  return (
    <Stack spacing={1}>
      <Typography variant="h6" component="h2">
        Signing secret
      </Typography>
      <Typography color="text.secondary">
        Every callback carries an HMAC-SHA256 signature made with the account's secret (header X-Gallant-Signature). The
        secret is shown only when it is made: rotate it if it leaked or was lost.
      </Typography>
      {manage ? (
        <Box>
          <Button variant="outlined" onClick={() => setAsking(true)}>
            Rotate secret
          </Button>
        </Box>
      ) : (
        <Typography variant="body2">Your account's owner or its reseller can rotate it.</Typography>
      )}
      <ConfirmDialog
        open={asking}
        title="Rotate the webhook secret?"
        confirm="Rotate"
        busy={rotate.isPending}
        onConfirm={() => rotate.mutate()}
        onClose={() => {
          setAsking(false);
          rotate.reset();
        }}
      >
        <ProblemAlert error={rotate.error} />
        Callbacks are signed with a new secret from now on, and the old one stops verifying: update your receiver at once.
        Other gateway instances switch within 30 seconds, so accept both secrets for a minute.
      </ConfirmDialog>
      <SecretDialog
        open={!!secret}
        title="New webhook secret"
        label="Webhook secret"
        secret={secret}
        onClose={() => setSecret('')}
      />
    </Stack>
  );
}
