import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';

const kinds = ['stop', 'start', 'help'] as const;
type Kind = (typeof kinds)[number];
const titles: Record<Kind, string> = { stop: 'Stop', start: 'Start', help: 'Help' };

/** KeywordsPanel edits the account's own STOP, START and HELP words and their replies (added to the platform's). */
export function KeywordsPanel() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['keywords'], queryFn: async () => unwrap(await api.GET('/v1/keywords')) });
  const [words, setWords] = useState<Record<Kind, string>>({ stop: '', start: '', help: '' });
  const [replies, setReplies] = useState<Record<Kind, string>>({ stop: '', start: '', help: '' });
  useEffect(() => {
    if (!q.data) return;
    setWords({
      stop: (q.data.keywords.stop ?? []).join(', '),
      start: (q.data.keywords.start ?? []).join(', '),
      help: (q.data.keywords.help ?? []).join(', '),
    });
    setReplies({ stop: q.data.replies.stop ?? '', start: q.data.replies.start ?? '', help: q.data.replies.help ?? '' });
  }, [q.data]);
  const split = (s: string) => s.split(/[,\s]+/).map((w) => w.trim()).filter(Boolean);
  const save = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.PUT('/v1/keywords', {
          body: {
            keywords: { stop: split(words.stop), start: split(words.start), help: split(words.help) },
            replies: { stop: replies.stop.trim(), start: replies.start.trim(), help: replies.help.trim() },
          },
        }),
      ),
    onSuccess: (d) => qc.setQueryData(['keywords'], d),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const defaults = q.data?.defaults;
  return (
    <Paper variant="outlined" sx={{ p: 2, mt: 3 }} component="form" onSubmit={submit} noValidate>
      <Typography variant="h6" component="h2" gutterBottom>
        Keywords and replies
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        An inbound message that is exactly one of these words opts its sender out (stop), back in (start) or asks for help. Your
        words add to the platform's; an empty reply uses the platform's.
      </Typography>
      <ProblemAlert error={q.error ?? save.error} />
      {save.isSuccess && <Alert severity="success" sx={{ mb: 2 }}>Saved.</Alert>}
      <Stack spacing={2}>
        {kinds.map((k) => (
          <Stack key={k} direction={{ xs: 'column', md: 'row' }} spacing={2}>
            <TextField
              label={`${titles[k]} words`}
              size="small"
              value={words[k]}
              onChange={(e) => setWords({ ...words, [k]: e.target.value })}
              error={Boolean(fieldError(save.error, `keywords.${k}`))}
              helperText={fieldError(save.error, `keywords.${k}`) ?? `Platform: ${(defaults?.keywords?.[k] ?? []).join(', ') || 'none'}`}
              sx={{ flex: 1 }}
            />
            <TextField
              label={`${titles[k]} reply`}
              size="small"
              value={replies[k]}
              onChange={(e) => setReplies({ ...replies, [k]: e.target.value })}
              placeholder={defaults?.replies?.[k]}
              error={Boolean(fieldError(save.error, `replies.${k}`))}
              helperText={fieldError(save.error, `replies.${k}`) ?? 'At most 459 characters'}
              slotProps={{ htmlInput: { maxLength: 459 } }}
              sx={{ flex: 2 }}
            />
          </Stack>
        ))}
        <Stack direction="row">
          <Button type="submit" variant="contained" disabled={save.isPending || !q.data}>
            Save keywords
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}
