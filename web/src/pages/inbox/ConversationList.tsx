import { useMemo } from 'react';
import { NavLink } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Badge, Box, Button, List, ListItem, ListItemButton, ListItemText, Skeleton, Typography } from '@mui/material';
import { visuallyHidden } from '@mui/utils';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatTime } from '../../lib/format';
import { isUnread } from './seen';

const pageSize = 50;

/** ConversationList lists the numbers that wrote to the account, most recent first, page by page. */
export function ConversationList({ selected }: { selected?: string }) {
  const q = useInfiniteQuery({
    queryKey: ['conversations'],
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/v1/conversations', { params: { query: { cursor: pageParam, limit: pageSize } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 5_000,
  });
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.data) ?? [], [q.data]);
  if (q.isLoading) return <Skeleton variant="rectangular" height={240} />;
  if (!q.error && items.length === 0) {
    return (
      <EmptyState title="No conversations yet">
        When someone texts one of the account&apos;s numbers, the conversation appears here. Numbers are assigned by the platform operator.
      </EmptyState>
    );
  }
  return (
    <Box>
      <ProblemAlert error={q.error} />
      <List aria-label="Conversations" disablePadding>
        {items.map((c) => {
          const unread = c.counterpart !== selected && isUnread(c.counterpart, c.last_inbound_at);
          return (
            <ListItem key={c.counterpart} disablePadding divider>
            <ListItemButton component={NavLink} to={`/inbox/${c.counterpart}`} selected={c.counterpart === selected}>
              <ListItemText
                primary={
                  <Typography component="span" sx={{ fontWeight: unread ? 700 : 400 }}>
                    +{c.counterpart}
                    {unread && <span style={visuallyHidden}>, unread</span>}
                  </Typography>
                }
                secondary={`${formatTime(c.last_inbound_at)} · ${formatCount(c.inbound)} received`}
              />
              {unread && <Badge color="primary" variant="dot" aria-hidden sx={{ mr: 1 }} />}
            </ListItemButton>
            </ListItem>
          );
        })}
      </List>
      {q.hasNextPage && (
        <Button fullWidth onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          More conversations
        </Button>
      )}
    </Box>
  );
}
