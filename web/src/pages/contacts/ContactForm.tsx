import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography, useMediaQuery, useTheme,
} from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { contactBody, emptyForm, formFromContact, type ContactFormState } from './form';
import { useContactFields, type Contact } from './queries';

const labels: Record<string, string> = {
  phone: 'Phone', first_name: 'First name', last_name: 'Last name', email: 'Email', language: 'Language', time_zone: 'Time zone',
};
const helps: Record<string, string> = {
  phone: 'International (+44 7700 900123) or national with the default country',
  language: 'A language tag such as en or pt-BR',
  time_zone: 'Such as Europe/London; empty: from the number',
};

/** ContactForm creates a contact, or changes one (contact given), with its custom fields typed as declared. */
export function ContactForm(props: { open: boolean; contact?: Contact; onClose: () => void; onSaved?: (c: Contact) => void }) {
  const { open, contact, onClose, onSaved } = props;
  const fields = useContactFields();
  const qc = useQueryClient();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'));
  const [form, setForm] = useState<ContactFormState>(emptyForm);
  const original = contact ? formFromContact(contact) : undefined;
  useEffect(() => {
    if (open) setForm(contact ? formFromContact(contact) : emptyForm);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, contact?.id, contact?.updated_at]);

  const save = useMutation({
    mutationFn: async () => {
      const body = contactBody(form, fields.data ?? [], original);
      if (contact) {
        return unwrap(await api.PATCH('/v1/contacts/{id}', { params: { path: { id: contact.id } }, body }));
      }
      return unwrap(await api.POST('/v1/contacts', { body }));
    },
    onSuccess: (c) => {
      qc.invalidateQueries({ queryKey: ['contacts'] });
      qc.setQueryData(['contact', c.id], c);
      onSaved?.(c);
      onClose();
    },
  });
  useEffect(() => {
    if (!open) save.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const text = (k: keyof typeof labels) => (
    <TextField
      key={k}
      label={labels[k]}
      value={form[k as keyof ContactFormState] as string}
      onChange={(e) => setForm({ ...form, [k]: e.target.value })}
      required={k === 'phone' && !contact}
      error={Boolean(fieldError(save.error, k))}
      helperText={fieldError(save.error, k) ?? helps[k]}
      type={k === 'email' ? 'email' : 'text'}
      size="small"
      fullWidth
    />
  );
  const setField = (name: string, v: string) => setForm({ ...form, fields: { ...form.fields, [name]: v } });

  return (
    <Dialog open={open} onClose={onClose} fullScreen={phone} maxWidth="sm" fullWidth aria-labelledby="contact-form-title" sx={{ zIndex: (t) => t.zIndex.modal + 1 }}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id="contact-form-title">{contact ? 'Edit contact' : 'New contact'}</DialogTitle>
        <DialogContent>
          <ProblemAlert error={save.error} />
          <Stack spacing={2} sx={{ pt: 1 }}>
            {text('phone')}
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              {text('first_name')}
              {text('last_name')}
            </Stack>
            {text('email')}
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              {text('language')}
              {text('time_zone')}
            </Stack>
            <TextField
              label="Tags"
              value={form.tags}
              onChange={(e) => setForm({ ...form, tags: e.target.value })}
              helperText={fieldError(save.error, 'tags') ?? 'Separated by commas, at most 20'}
              error={Boolean(fieldError(save.error, 'tags'))}
              size="small"
            />
            {(fields.data ?? []).length > 0 && (
              <Typography variant="subtitle2" component="h3">
                Custom fields
              </Typography>
            )}
            {(fields.data ?? []).map((f) => {
              const err = fieldError(save.error, `fields.${f.name}`);
              const v = form.fields[f.name] ?? '';
              if (f.type === 'boolean') {
                return (
                  <TextField key={f.name} select label={f.name} value={v} onChange={(e) => setField(f.name, e.target.value)} size="small" error={Boolean(err)} helperText={err}>
                    <MenuItem value="">Not set</MenuItem>
                    <MenuItem value="true">Yes</MenuItem>
                    <MenuItem value="false">No</MenuItem>
                  </TextField>
                );
              }
              return (
                <TextField
                  key={f.name}
                  label={f.name}
                  value={v}
                  onChange={(e) => setField(f.name, e.target.value)}
                  type={f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'}
                  slotProps={f.type === 'date' ? { inputLabel: { shrink: true } } : undefined}
                  size="small"
                  error={Boolean(err)}
                  helperText={err ?? (f.type === 'text' ? undefined : f.type)}
                />
              );
            })}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            {contact ? 'Save' : 'Create contact'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
