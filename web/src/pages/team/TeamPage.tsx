import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Box, Button, Chip, MenuItem, Stack, Switch, TextField, Typography } from '@mui/material';
import PersonAddIcon from '@mui/icons-material/PersonAddAlt';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';
import { canManage } from '../developers/canManage';
import { ResponsiveTable } from '../developers/ResponsiveTable';
import { InviteDialog } from './InviteDialog';
import { assignableRoles, canActOn, type Role } from './roles';

type User = Schemas['IdentityUser'];

/** TeamPage lists the account's dashboard users; owners add them, change their roles, disable and remove them. */
export default function TeamPage() {
  const { me } = useAuth();
  const id = me!.account_id;
  const manage = canManage(me);
  const qc = useQueryClient();
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<User | null>(null);
  const key = ['users', id];

  const users = useQuery({
    queryKey: key,
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/users', { params: { path: { id } } })).items,
  });
  const patch = useMutation({
    mutationFn: async (v: { user: User; change: Schemas['IdentityUserPatch'] }) =>
      unwrap(await api.PATCH('/v1/accounts/{id}/users/{user_id}', { params: { path: { id, user_id: v.user.id } }, body: v.change })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const remove = useMutation({
    mutationFn: async (u: User) =>
      unwrap(await api.DELETE('/v1/accounts/{id}/users/{user_id}', { params: { path: { id, user_id: u.id } } })),
    onSuccess: () => {
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: key });
    },
  });

  const myRole = me!.role as Role;
  const roles = assignableRoles(myRole);
  const may = (u: User) => manage && canActOn(myRole, me?.user?.id, u);
  const statusChips = (u: User) => (
    <Stack direction="row" spacing={0.5}>
      {u.disabled ? <Chip size="small" color="error" variant="outlined" label="disabled" /> : <Chip size="small" color="success" variant="outlined" label="active" />}
      {!u.email_verified && <Chip size="small" variant="outlined" label="unverified" />}
    </Stack>
  );
  const roleCell = (u: User) =>
    may(u) && roles.includes(u.role as Role) ? (
      <TextField
        select
        size="small"
        value={u.role}
        onChange={(e) => patch.mutate({ user: u, change: { role: e.target.value as Role } })}
        slotProps={{ htmlInput: { 'aria-label': `Role of ${u.email}` } }}
        disabled={patch.isPending}
        variant="standard"
      >
        {roles.map((r) => (
          <MenuItem key={r} value={r}>
            {r}
          </MenuItem>
        ))}
      </TextField>
    ) : (
      u.role
    );
  const sendCell = (u: User) =>
    u.role === 'member' && may(u) ? (
      <Switch
        checked={u.can_send}
        onChange={(e) => patch.mutate({ user: u, change: { can_send: e.target.checked } })}
        disabled={patch.isPending}
        slotProps={{ input: { 'aria-label': `${u.email} may send` } }}
      />
    ) : u.role !== 'member' || u.can_send ? (
      'yes'
    ) : (
      'no'
    );
  const actions = (u: User) =>
    may(u) ? (
      <Stack direction="row" spacing={1}>
        <Button size="small" onClick={() => patch.mutate({ user: u, change: { disabled: !u.disabled } })} disabled={patch.isPending} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}>
          {u.disabled ? 'Enable' : 'Disable'}
        </Button>
        <Button size="small" color="error" onClick={() => setRemoving(u)} aria-label={`Remove ${u.email}`}>
          Remove
        </Button>
      </Stack>
    ) : null;

  return (
    <>
      <PageHeader
        title="Team"
        subtitle="The people who use this dashboard for the account"
        actions={
          manage && (
            <Button variant="contained" startIcon={<PersonAddIcon />} onClick={() => setInviting(true)}>
              Add a user
            </Button>
          )
        }
      />
      <ProblemAlert error={users.error || patch.error} onClose={patch.error ? () => patch.reset() : undefined} />
      {!manage && (
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          Only an owner of the account can add, change or remove users.
        </Typography>
      )}
      <ResponsiveTable<User>
        label="Users"
        rows={users.data ?? []}
        rowKey={(u) => u.id}
        columns={[
          { key: 'email', header: 'Email', render: (u) => u.email + (u.id === me?.user?.id ? ' (you)' : '') },
          { key: 'role', header: 'Role', render: roleCell },
          { key: 'send', header: 'May send', render: sendCell },
          { key: 'status', header: 'Status', render: statusChips },
          { key: 'created', header: 'Added', render: (u) => formatTime(u.created_at) },
          { key: 'actions', header: 'Actions', render: actions },
        ]}
        renderCard={(u) => (
          <Stack spacing={0.75}>
            <Typography sx={{ fontWeight: 500, wordBreak: 'break-all' }}>
              {u.email}
              {u.id === me?.user?.id ? ' (you)' : ''}
            </Typography>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Box>{roleCell(u)}</Box>
              {statusChips(u)}
            </Stack>
            {u.role === 'member' && (
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="body2">May send:</Typography>
                {sendCell(u)}
              </Stack>
            )}
            {actions(u)}
          </Stack>
        )}
      />
      {inviting && (
        <InviteDialog
          accountId={id}
          roles={roles}
          onClose={() => setInviting(false)}
          onAdded={() => {
            setInviting(false);
            void qc.invalidateQueries({ queryKey: key });
          }}
        />
      )}
      <ConfirmDialog
        open={!!removing}
        title="Remove this user?"
        confirm="Remove"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <ProblemAlert error={remove.error} />
        <strong>{removing?.email}</strong> can no longer sign in, and their sessions end now. The audit log keeps what they did.
      </ConfirmDialog>
    </>
  );
}
