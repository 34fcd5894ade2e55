import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Paper, Stack, TextField, Typography, Link as MuiLink } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import AddIcon from '@mui/icons-material/Add';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';

type Template = Schemas['Template'];

const columns: GridColDef<Template>[] = [
  { field: 'name', headerName: 'Name', width: 200, renderCell: (p) => <MuiLink component={Link} to={`/templates/${p.row.id}`}>{p.row.name}</MuiLink> },
  { field: 'body', headerName: 'Text', flex: 1, minWidth: 240 },
  { field: 'placeholders', headerName: 'Placeholders', width: 220, valueFormatter: (v: string[]) => (v ?? []).join(', ') },
  { field: 'updated_at', headerName: 'Changed', width: 180, valueFormatter: (v: string) => formatTime(v) },
];

/** TemplatesList pages through the templates; a row opens the editor. Below, the account's opt-out text. */
export function TemplatesList() {
  const navigate = useNavigate();
  return (
    <Stack spacing={3}>
      <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => navigate('/templates/new')}>
          New template
        </Button>
      </Stack>
      <CursorGrid<Template>
        label="Templates"
        queryKey={['templates', 'page']}
        fetchPage={async (cursor, limit) => {
          const page = unwrap(await api.GET('/v1/templates', { params: { query: { cursor, limit } } }));
          return { items: page.data, next_cursor: page.next_cursor };
        }}
        columns={columns}
        onRowClick={(t) => navigate(`/templates/${t.id}`)}
        renderCard={(t) => (
          <Stack spacing={0.5}>
            <Typography variant="body2">
              <b>{t.name}</b>
            </Typography>
            <Typography variant="body2" color="text.secondary" noWrap>
              {t.body}
            </Typography>
          </Stack>
        )}
        empty={
          <EmptyState title="No templates yet" action={<Button variant="contained" onClick={() => navigate('/templates/new')}>New template</Button>}>
            A template is a message text with placeholders such as {'{{first_name}}'}, filled in for each recipient of a campaign.
          </EmptyState>
        }
      />
      <OptOutText />
    </Stack>
  );
}

function OptOutText() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['template-settings'],
    queryFn: async () => unwrap(await api.GET('/v1/templates/settings')),
  });
  const [text, setText] = useState('');
  useEffect(() => {
    if (q.data) setText(q.data.default ? '' : q.data.optout_text);
  }, [q.data]);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.PUT('/v1/templates/settings', { body: { optout_text: text.trim() } })),
    onSuccess: (s) => qc.setQueryData(['template-settings'], s),
  });
  const tooLong = Array.from(text).length > 160;
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        Opt-out text
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        What {'{{optout}}'} becomes in a message.{' '}
        {q.data?.default ? `The platform's text is used now: "${q.data.optout_text}".` : ''}
      </Typography>
      <ProblemAlert error={q.error ?? save.error} />
      {save.isSuccess && <Alert severity="success" sx={{ mb: 2 }}>Saved.</Alert>}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!tooLong) save.mutate();
        }}
      >
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
          <TextField
            label="Opt-out text"
            size="small"
            value={text}
            placeholder={q.data?.default ? q.data.optout_text : 'Reply STOP to unsubscribe'}
            onChange={(e) => setText(e.target.value)}
            error={tooLong || Boolean(fieldError(save.error, 'optout_text'))}
            helperText={tooLong ? 'At most 160 characters' : fieldError(save.error, 'optout_text') ?? 'Empty: the platform default. No placeholders.'}
            sx={{ flex: 1 }}
          />
          <Button type="submit" variant="contained" disabled={save.isPending || tooLong}>
            Save
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
