import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Box, Button, Stack, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { canManage } from './canManage';
import { ResponsiveTable } from './ResponsiveTable';
import { SecretDialog } from './SecretDialog';
import { SmppDialog } from './SmppDialog';

type Cred = Schemas['IdentitySMPPCredential'];

const limit = (n: number) => (n === 0 ? 'no limit' : formatCount(n));
const ranges = (c: Cred) => (c.allowed_cidrs.length ? c.allowed_cidrs.join(', ') : 'any address');

/** SmppTab lists the account's SMPP credentials with their address ranges and limits; owners change them. */
export function SmppTab() {
  const { me } = useAuth();
  const id = me!.account_id;
  const manage = canManage(me);
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Cred | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Cred | null>(null);
  const [secret, setSecret] = useState<{ systemId: string; password: string } | null>(null);

  const creds = useQuery({
    queryKey: ['smpp-credentials', id],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/smpp-credentials', { params: { path: { id } } })).items,
  });
  const remove = useMutation({
    mutationFn: async (c: Cred) =>
      unwrap(await api.DELETE('/v1/accounts/{id}/smpp-credentials/{cred_id}', { params: { path: { id, cred_id: c.id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ['smpp-credentials', id] });
    },
  });

  const actions = (c: Cred) =>
    manage ? (
      <Stack direction="row" spacing={1}>
        <Button size="small" onClick={() => setEditing(c)} aria-label={`Edit ${c.system_id}`}>
          Edit
        </Button>
        <Button size="small" color="error" onClick={() => setDeleting(c)} aria-label={`Delete ${c.system_id}`}>
          Delete
        </Button>
      </Stack>
    ) : null;

  return (
    <Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2, alignItems: { sm: 'center' } }}>
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          SMPP credentials let your own SMPP client bind to the gateway (system_id and password).
        </Typography>
        {manage && (
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setEditing('new')}>
            Create credential
          </Button>
        )}
      </Stack>
      <ProblemAlert error={creds.error} />
      {creds.isSuccess && creds.data.length === 0 ? (
        <EmptyState title="No SMPP credentials">
          {manage ? 'Create one to bind with an SMPP client; the HTTP API needs none.' : 'An owner of the account can create one.'}
        </EmptyState>
      ) : (
        <ResponsiveTable<Cred>
          label="SMPP credentials"
          rows={creds.data ?? []}
          rowKey={(c) => c.id}
          columns={[
            { key: 'sid', header: 'System ID', render: (c) => <code>{c.system_id}</code> },
            { key: 'cidrs', header: 'Allowed addresses', render: ranges },
            { key: 'binds', header: 'Binds', render: (c) => limit(c.bind_limit), align: 'right' },
            { key: 'tps', header: 'TPS', render: (c) => limit(c.tps_limit), align: 'right' },
            { key: 'created', header: 'Created', render: (c) => formatTime(c.created_at) },
            { key: 'actions', header: 'Actions', render: actions },
          ]}
          renderCard={(c) => (
            <Stack spacing={0.5}>
              <Typography sx={{ fontWeight: 500 }}>
                <code>{c.system_id}</code>
              </Typography>
              <Typography variant="body2">From {ranges(c)}</Typography>
              <Typography variant="body2">
                Binds: {limit(c.bind_limit)} · TPS: {limit(c.tps_limit)}
              </Typography>
              <Typography variant="caption">Created {formatTime(c.created_at)}</Typography>
              {actions(c)}
            </Stack>
          )}
        />
      )}
      {editing && (
        <SmppDialog
          accountId={id}
          credential={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(c) => {
            setEditing(null);
            void qc.invalidateQueries({ queryKey: ['smpp-credentials', id] });
            if (c.password) setSecret({ systemId: c.system_id, password: c.password });
          }}
        />
      )}
      <SecretDialog
        open={!!secret}
        title={`Password of ${secret?.systemId ?? ''}`}
        label="SMPP password"
        secret={secret?.password ?? ''}
        onClose={() => setSecret(null)}
      />
      <ConfirmDialog
        open={!!deleting}
        title="Delete this SMPP credential?"
        confirm="Delete"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <ProblemAlert error={remove.error} />
        Clients binding as <strong>{deleting?.system_id}</strong> are refused from now on.
      </ConfirmDialog>
    </Box>
  );
}
