import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconButton, Stack, TextField, Tooltip } from '@mui/material';
import SendIcon from '@mui/icons-material/Send';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { describeCount } from './smsCount';

/**
 * ReplyBox answers a counterpart: a reply is a message to it from the
 * account's number it wrote to (POST /v1/messages).
 */
export function ReplyBox({ counterpart, from }: { counterpart: string; from?: string }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const send = useMutation({
    mutationFn: async (body: string) =>
      unwrap(
        await api.POST('/v1/messages', {
          body: { to: `+${counterpart}`, from, text: body, delivery_report: true, encoding: 'auto', flash: false },
        }),
      ),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: ['conversation', counterpart] });
    },
  });
  const submit = () => {
    if (text.trim() && !send.isPending) send.mutate(text);
  };
  const fe = fieldError(send.error, 'text');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="Reply"
    >
      {!fe && <ProblemAlert error={send.error} onClose={() => send.reset()} />}
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
        <TextField
          label="Reply"
          placeholder={from ? `From ${from}` : undefined}
          multiline
          maxRows={6}
          fullWidth
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
          error={!!fe}
          helperText={fe ?? `${describeCount(text)} · Ctrl+Enter sends`}
        />
        <Tooltip title="Send">
          <span>
            <IconButton type="submit" color="primary" aria-label="Send reply" disabled={!text.trim() || send.isPending} sx={{ mt: 1 }}>
              <SendIcon />
            </IconButton>
          </span>
        </Tooltip>
      </Stack>
    </form>
  );
}
