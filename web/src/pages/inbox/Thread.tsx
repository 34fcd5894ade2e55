import { useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Box, Button, Chip, IconButton, Paper, Skeleton, Stack, Typography } from '@mui/material';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';
import { ReplyBox } from './ReplyBox';
import { markSeen } from './seen';

type Message = Schemas['ConversationMessage'];

function Bubble({ m }: { m: Message }) {
  const out = m.direction === 'outbound';
  return (
    <Box sx={{ display: 'flex', justifyContent: out ? 'flex-end' : 'flex-start' }} role="listitem" aria-label={`${out ? 'Sent' : 'Received'} ${formatTime(m.at)}`}>
      <Paper
        elevation={0}
        sx={{
          px: 1.5,
          py: 1,
          maxWidth: '80%',
          bgcolor: out ? 'primary.main' : 'action.selected',
          color: out ? 'primary.contrastText' : 'text.primary',
          borderRadius: 2,
        }}
      >
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {m.text || '(no text)'}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ mt: 0.5, alignItems: 'center', opacity: 0.85 }}>
          <Typography variant="caption">{formatTime(m.at)}</Typography>
          {out ? <Typography variant="caption">from {m.from}</Typography> : <Typography variant="caption">to {m.to}</Typography>}
          {m.keyword && <Chip size="small" label={m.keyword} variant="outlined" sx={{ color: 'inherit', height: 18 }} />}
          {m.partial && <Typography variant="caption">(partial)</Typography>}
        </Stack>
      </Paper>
    </Box>
  );
}

/** Thread is one conversation, oldest at the top, with the reply box under it. */
export function Thread({ counterpart, showBack }: { counterpart: string; showBack: boolean }) {
  const q = useInfiniteQuery({
    queryKey: ['conversation', counterpart],
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/v1/conversations/{number}', { params: { path: { number: counterpart }, query: { cursor: pageParam, limit: 50 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 4_000,
  });
  // Pages come newest first; the thread reads oldest first.
  const messages = useMemo(() => (q.data?.pages.flatMap((p) => p.data) ?? []).slice().reverse(), [q.data]);
  const lastInbound = useMemo(() => [...messages].reverse().find((m) => m.direction === 'inbound'), [messages]);
  const newest = messages.at(-1)?.id;
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (lastInbound) markSeen(counterpart, lastInbound.at);
  }, [counterpart, lastInbound]);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [newest]);

  return (
    <Stack spacing={2} sx={{ height: '100%' }} component="section" aria-label={`Conversation with +${counterpart}`}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        {showBack && (
          <IconButton component={Link} to="/inbox" aria-label="Back to conversations">
            <ArrowBackIcon />
          </IconButton>
        )}
        <Typography variant="h6" component="h2">
          +{counterpart}
        </Typography>
      </Stack>
      <ProblemAlert error={q.error} />
      <Box sx={{ flexGrow: 1, overflowY: 'auto', maxHeight: { md: '60vh' }, pr: 1 }}>
        {q.hasNextPage && (
          <Button fullWidth onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
            Older messages
          </Button>
        )}
        {q.isLoading && <Skeleton variant="rectangular" height={160} />}
        <Stack spacing={1} role="list" aria-label="Messages">
          {messages.map((m) => (
            <Bubble key={`${m.direction}-${m.id}`} m={m} />
          ))}
        </Stack>
        <div ref={end} />
      </Box>
      <ReplyBox counterpart={counterpart} from={lastInbound?.to} />
    </Stack>
  );
}
