import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Box, Button, Chip, MenuItem, Paper, Skeleton, Stack, TextField, Typography,
} from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { useDebounced } from '../../lib/useDebounced';
import { useContactFields } from '../contacts/queries';
import { insertAt, placeholderTokens, token } from './placeholders';
import { TemplatePreview } from './TemplatePreview';

/** TemplateEditor writes a template with placeholder chips and a live preview for a sample or a contact. */
export function TemplateEditor() {
  const param = useParams().id;
  const id = param && param !== 'new' ? param : null;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const fields = useContactFields();
  const input = useRef<HTMLTextAreaElement | null>(null);
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [fallback, setFallback] = useState('');
  const [who, setWho] = useState<'sample' | 'contact'>('sample');
  const [sample, setSample] = useState({ first_name: 'Ada', last_name: 'Lovelace', phone: '+447700900123' });
  const [contactId, setContactId] = useState('');
  const [deleting, setDeleting] = useState(false);
  const t = useQuery({
    queryKey: ['template', id],
    queryFn: async () => unwrap(await api.GET('/v1/templates/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
  useEffect(() => {
    if (t.data) {
      setName(t.data.name);
      setBody(t.data.body);
    }
  }, [t.data]);

  const request = useMemo(
    () =>
      JSON.stringify({
        body,
        ...(who === 'contact' && contactId.trim() ? { contact_id: contactId.trim() } : {}),
        ...(who === 'sample' ? { sample: Object.fromEntries(Object.entries(sample).filter(([, v]) => v.trim() !== '')) } : {}),
      }),
    [body, who, sample, contactId],
  );
  const debounced = useDebounced(request, 300);
  const preview = useQuery({
    queryKey: ['template-preview', debounced],
    queryFn: async () => unwrap(await api.POST('/v1/templates/preview', { body: JSON.parse(debounced) })),
    enabled: JSON.parse(debounced).body !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });

  const save = useMutation({
    mutationFn: async () =>
      id
        ? unwrap(await api.PATCH('/v1/templates/{id}', { params: { path: { id } }, body: { name: name.trim(), body } }))
        : unwrap(await api.POST('/v1/templates', { body: { name: name.trim(), body } })),
    onSuccess: (saved) => {
      qc.invalidateQueries({ queryKey: ['templates'] });
      qc.setQueryData(['template', saved.id], saved);
      if (!id) navigate(`/templates/${saved.id}`, { replace: true });
    },
  });
  const del = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/v1/templates/{id}', { params: { path: { id: id! } } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['templates'] });
      navigate('/templates');
    },
  });
  const insert = (name: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    const next = insertAt(body, start, end, token(name, fallback.trim()));
    setBody(next.body);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && body) save.mutate();
  };
  const chars = Array.from(body).length;

  if (id !== null && t.isLoading) return <Skeleton variant="rectangular" height={280} />;
  return (
    <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2} sx={{ alignItems: 'flex-start' }}>
      <Paper variant="outlined" sx={{ p: 2, flex: 3, width: '100%' }} component="form" onSubmit={submit} noValidate>
        <Typography variant="h6" component="h2" gutterBottom>
          {id ? `Template ${t.data?.name ?? ''}` : 'New template'}
        </Typography>
        <ProblemAlert error={t.error ?? save.error ?? del.error} />
        {save.isSuccess && <Alert severity="success" sx={{ mb: 2 }}>Saved.</Alert>}
        <Stack spacing={2}>
          <TextField
            label="Template name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            size="small"
            error={Boolean(fieldError(save.error, 'name'))}
            helperText={fieldError(save.error, 'name')}
            slotProps={{ htmlInput: { maxLength: 100 } }}
          />
          <TextField
            label="Message text"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            inputRef={input}
            multiline
            minRows={5}
            required
            error={Boolean(fieldError(save.error, 'body')) || chars > 1600}
            helperText={fieldError(save.error, 'body') ?? `${chars} / 1600 characters before placeholders are filled in`}
          />
          <Box>
            <Typography variant="subtitle2" component="h3" gutterBottom>
              Insert a placeholder
            </Typography>
            <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1, mb: 1 }}>
              {placeholderTokens((fields.data ?? []).map((f) => f.name)).map((p) => (
                <Chip key={p} label={`{{${p}}}`} onClick={() => insert(p)} variant="outlined" color="primary" />
              ))}
            </Stack>
            <TextField
              label="Default for inserted placeholders"
              size="small"
              value={fallback}
              onChange={(e) => setFallback(e.target.value.replace(/[{}|]/g, ''))}
              helperText="Used when a recipient has no value ({{first_name|there}}); without one, such a recipient is skipped"
            />
          </Box>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>
            <Button type="submit" variant="contained" disabled={save.isPending || !name.trim() || !body || chars > 1600}>
              {id ? 'Save template' : 'Create template'}
            </Button>
            <Button component={Link} to="/templates">
              Back to templates
            </Button>
            {id && (
              <Button color="error" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            )}
          </Stack>
        </Stack>
      </Paper>
      <Paper variant="outlined" sx={{ p: 2, flex: 2, width: '100%' }} role="region" aria-label="Template preview">
        <Typography variant="h6" component="h2" gutterBottom>
          Preview
        </Typography>
        <Stack spacing={2} sx={{ mb: 2 }}>
          <TextField select label="Preview for" size="small" value={who} onChange={(e) => setWho(e.target.value as 'sample' | 'contact')}>
            <MenuItem value="sample">A sample recipient</MenuItem>
            <MenuItem value="contact">A contact (by id)</MenuItem>
          </TextField>
          {who === 'sample' ? (
            <Stack spacing={2}>
              <TextField label="Sample first name" size="small" value={sample.first_name} onChange={(e) => setSample({ ...sample, first_name: e.target.value })} />
              <TextField label="Sample last name" size="small" value={sample.last_name} onChange={(e) => setSample({ ...sample, last_name: e.target.value })} />
              <TextField label="Sample phone" size="small" value={sample.phone} onChange={(e) => setSample({ ...sample, phone: e.target.value })} helperText="Prices the preview" />
            </Stack>
          ) : (
            <TextField label="Contact id" size="small" value={contactId} onChange={(e) => setContactId(e.target.value.replace(/\D/g, ''))} helperText="Shown in Contacts" />
          )}
        </Stack>
        <TemplatePreview preview={body ? preview.data : undefined} error={body ? preview.error : null} hasBody={body !== ''} />
      </Paper>
      <ConfirmDialog
        open={deleting}
        title="Delete this template?"
        confirm="Delete template"
        busy={del.isPending}
        onConfirm={() => del.mutate()}
        onClose={() => setDeleting(false)}
      >
        Campaigns already launched keep their text; the template is gone from pickers.
      </ConfirmDialog>
    </Stack>
  );
}
