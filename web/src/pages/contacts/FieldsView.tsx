import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, IconButton, List, ListItem, ListItemText, MenuItem, Paper, Stack, TextField, Typography,
} from '@mui/material';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { useContactFields, type ContactField } from './queries';

const namePattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** FieldsView manages the account's custom contact fields and its default country. */
export function FieldsView() {
  return (
    <Stack spacing={3}>
      <CustomFields />
      <DefaultCountry />
    </Stack>
  );
}

function CustomFields() {
  const qc = useQueryClient();
  const fields = useContactFields();
  const [name, setName] = useState('');
  const [type, setType] = useState<ContactField['type']>('text');
  const [removing, setRemoving] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/contact-fields', { body: { name: name.trim(), type } })),
    onSuccess: () => {
      setName('');
      qc.invalidateQueries({ queryKey: ['contact-fields'] });
    },
  });
  const remove = useMutation({
    mutationFn: async (n: string) => unwrap(await api.DELETE('/v1/contact-fields/{name}', { params: { path: { name: n } } })),
    onSuccess: () => {
      setRemoving(null);
      qc.invalidateQueries({ queryKey: ['contact-fields'] });
    },
  });
  const badName = name.trim() !== '' && !namePattern.test(name.trim());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!badName && name.trim()) add.mutate();
  };
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Custom fields
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Extra values kept on each contact (up to 100). Templates use them as {'{{field.NAME}}'}; segments filter on them.
      </Typography>
      <ProblemAlert error={fields.error ?? remove.error} />
      {fields.data && fields.data.length === 0 && <Alert severity="info" sx={{ mb: 2 }}>No custom fields yet: add one below, or import a CSV whose extra columns become fields.</Alert>}
      <List dense aria-label="Custom fields">
        {(fields.data ?? []).map((f) => (
          <ListItem
            key={f.name}
            secondaryAction={
              <IconButton edge="end" aria-label={`Remove field ${f.name}`} onClick={() => setRemoving(f.name)}>
                <DeleteIcon />
              </IconButton>
            }
          >
            <ListItemText primary={f.name} secondary={f.type} />
          </ListItem>
        ))}
      </List>
      <form onSubmit={submit} noValidate>
        <ProblemAlert error={add.error} />
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
          <TextField
            label="Field name"
            size="small"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={badName || Boolean(fieldError(add.error, 'name'))}
            helperText={badName ? 'A letter, then letters, digits or _ (at most 64)' : fieldError(add.error, 'name') ?? 'Such as loyalty_tier'}
          />
          <TextField select label="Type" size="small" value={type} onChange={(e) => setType(e.target.value as ContactField['type'])} sx={{ minWidth: 140 }}>
            {(['text', 'number', 'date', 'boolean'] as const).map((t) => (
              <MenuItem key={t} value={t}>
                {t}
              </MenuItem>
            ))}
          </TextField>
          <Button type="submit" variant="contained" disabled={add.isPending || badName || !name.trim()}>
            Add field
          </Button>
        </Stack>
      </form>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove the field ${removing}?`}
        confirm="Remove"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(null)}
      >
        Its values are no longer shown and are dropped from each contact the next time it changes. Templates and segments that
        name it stop working.
      </ConfirmDialog>
    </Paper>
  );
}

function DefaultCountry() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['contact-settings'],
    queryFn: async () => unwrap(await api.GET('/v1/contact-settings')),
  });
  const [country, setCountry] = useState('');
  useEffect(() => {
    if (q.data) setCountry(q.data.default_country);
  }, [q.data]);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.PUT('/v1/contact-settings', { body: { default_country: country.trim() } })),
    onSuccess: (s) => qc.setQueryData(['contact-settings'], s),
  });
  const bad = country.trim() !== '' && !/^[A-Za-z]{2}$/.test(country.trim());
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Default country
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Reads national numbers (such as 07700 900123) given without a country, in forms, lists and imports.
      </Typography>
      <ProblemAlert error={q.error ?? save.error} />
      {save.isSuccess && !save.isPending && <Alert severity="success" sx={{ mb: 2 }}>Saved.</Alert>}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!bad) save.mutate();
        }}
      >
        <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
          <TextField
            label="Country code"
            size="small"
            placeholder="GB"
            value={country}
            onChange={(e) => setCountry(e.target.value.toUpperCase().slice(0, 2))}
            error={bad || Boolean(fieldError(save.error, 'default_country'))}
            helperText={bad ? 'Two letters (ISO 3166)' : fieldError(save.error, 'default_country') ?? 'Two letters; empty for none'}
          />
          <Button type="submit" variant="contained" disabled={save.isPending || bad}>
            Save
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
