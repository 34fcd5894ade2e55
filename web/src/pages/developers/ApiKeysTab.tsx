import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';
import { canManage } from './canManage';
import { ResponsiveTable } from './ResponsiveTable';
import { SecretDialog } from './SecretDialog';

type Key = Schemas['IdentityKey'];
type Scope = 'send' | 'read' | 'admin';

const scopeHelp: Record<Scope, string> = {
  send: 'send messages',
  read: 'read messages, reports and settings',
  admin: 'manage keys, users and settings',
};

/** ApiKeysTab lists the account's API keys; owners create them (shown once) and revoke them. */
export function ApiKeysTab() {
  const { me } = useAuth();
  const id = me!.account_id;
  const manage = canManage(me);
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);

  const keys = useQuery({
    queryKey: ['keys', id],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/keys', { params: { path: { id } } })).items,
  });
  const revoke = useMutation({
    mutationFn: async (k: Key) =>
      unwrap(await api.DELETE('/v1/accounts/{id}/keys/{key_id}', { params: { path: { id, key_id: k.id } } })),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ['keys', id] });
    },
  });

  const all = keys.data ?? [];
  const rows = showRevoked ? all : all.filter((k) => !k.revoked_at);
  const status = (k: Key) =>
    k.revoked_at ? <Chip size="small" label="revoked" /> : <Chip size="small" color="success" variant="outlined" label="active" />;
  const action = (k: Key) =>
    manage && !k.revoked_at && k.id !== me?.key_id ? (
      <Button size="small" color="error" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
        Revoke
      </Button>
    ) : null;

  return (
    <Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2, alignItems: { sm: 'center' } }}>
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          API keys authenticate the HTTP API: <code>Authorization: Bearer gal_…</code>
        </Typography>
        <FormControlLabel control={<Switch checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />} label="Show revoked" />
        {manage && (
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            Create API key
          </Button>
        )}
      </Stack>
      <ProblemAlert error={keys.error} />
      {keys.isSuccess && rows.length === 0 ? (
        <EmptyState title="No API keys yet">
          {manage ? 'Create a key to send messages from your own software.' : 'An owner of the account can create keys.'}
        </EmptyState>
      ) : (
        <ResponsiveTable<Key>
          label="API keys"
          rows={rows}
          rowKey={(k) => k.id}
          columns={[
            { key: 'name', header: 'Name', render: (k) => k.name },
            { key: 'prefix', header: 'Key', render: (k) => <code>{k.prefix}…</code> },
            { key: 'scopes', header: 'Scopes', render: (k) => k.scopes.join(', ') },
            { key: 'created', header: 'Created', render: (k) => formatTime(k.created_at) },
            { key: 'used', header: 'Last used', render: (k) => (k.last_used_at ? formatTime(k.last_used_at) : 'never') },
            { key: 'status', header: 'Status', render: status },
            { key: 'action', header: 'Actions', render: action },
          ]}
          renderCard={(k) => (
            <Stack spacing={0.5}>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography sx={{ fontWeight: 500, flexGrow: 1 }}>{k.name}</Typography>
                {status(k)}
              </Stack>
              <Typography variant="body2">
                <code>{k.prefix}…</code> · {k.scopes.join(', ')}
              </Typography>
              <Typography variant="caption">
                Created {formatTime(k.created_at)} · last used {k.last_used_at ? formatTime(k.last_used_at) : 'never'}
              </Typography>
              <Box>{action(k)}</Box>
            </Stack>
          )}
        />
      )}
      <CreateKeyDialog
        open={creating}
        accountId={id}
        onClose={() => setCreating(false)}
        onCreated={(name, key) => {
          setCreating(false);
          setSecret({ name, key });
          void qc.invalidateQueries({ queryKey: ['keys', id] });
        }}
      />
      <SecretDialog
        open={!!secret}
        title={`API key "${secret?.name ?? ''}" created`}
        label="API key"
        secret={secret?.key ?? ''}
        onClose={() => setSecret(null)}
      />
      <ConfirmDialog
        open={!!revoking}
        title="Revoke this API key?"
        confirm="Revoke"
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <ProblemAlert error={revoke.error} />
        Software using <strong>{revoking?.name}</strong> ({revoking?.prefix}…) is refused from now on. This cannot be undone.
      </ConfirmDialog>
    </Box>
  );
}

function CreateKeyDialog(props: { open: boolean; accountId: string; onClose: () => void; onCreated: (name: string, key: string) => void }) {
  const { open, accountId, onClose, onCreated } = props;
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['send', 'read']);
  const [touched, setTouched] = useState(false);
  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/v1/accounts/{id}/keys', { params: { path: { id: accountId } }, body: { name: name.trim(), scopes } })),
    onSuccess: (k) => {
      setName('');
      setScopes(['send', 'read']);
      setTouched(false);
      onCreated(k.name, k.key);
    },
  });
  const nameErr = touched && (name.trim() === '' ? 'Give the key a name, such as the program that uses it' : name.trim().length > 100 ? 'At most 100 characters' : undefined);
  const scopeErr = touched && scopes.length === 0 ? 'Pick at least one scope' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (name.trim() === '' || name.trim().length > 100 || scopes.length === 0) return;
    create.mutate();
  };
  const close = () => {
    create.reset();
    setTouched(false);
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="create-key-title" fullWidth maxWidth="xs">
      <Box component="form" onSubmit={submit} noValidate>
        <DialogTitle id="create-key-title">Create an API key</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <ProblemAlert error={create.error} />
            <TextField
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={!!nameErr || !!fieldError(create.error, 'name')}
              helperText={nameErr || fieldError(create.error, 'name') || 'Where the key is used, e.g. "billing server"'}
              required
              autoFocus
            />
            <FormControl error={!!scopeErr || !!fieldError(create.error, 'scopes')} component="fieldset">
              <FormLabel component="legend">Scopes</FormLabel>
              <FormGroup>
                {(['send', 'read', 'admin'] as Scope[]).map((s) => (
                  <FormControlLabel
                    key={s}
                    control={
                      <Checkbox
                        checked={scopes.includes(s)}
                        onChange={(e) => setScopes((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)))}
                      />
                    }
                    label={`${s}: ${scopeHelp[s]}`}
                  />
                ))}
              </FormGroup>
              <FormHelperText>{scopeErr || fieldError(create.error, 'scopes') || 'A key may not act above your own role.'}</FormHelperText>
            </FormControl>
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            Create
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
