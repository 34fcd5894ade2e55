import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router';
import { Box, Divider, Drawer, IconButton, Link, Skeleton, Stack, Typography } from '@mui/material';
import CloseIcon from '@mui/icons-material/Close';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney } from '../../lib/format';
import { CarrierErrors, ReceiptHistory, Timeline } from './EventHistory';
import { StatusChip } from './StatusChip';

/** campaignOf is the campaign a client reference names (the campaign engine's cmp:<campaign>:<recipient>), or null. */
function campaignOf(ref: string): string | null {
  return /^cmp:(\d+):\d+$/.exec(ref)?.[1] ?? null;
}

/** MessageDrawer shows one message: its text, price, the timeline of its events, its error codes explained and each segment's receipts. */
export function MessageDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const q = useQuery({
    queryKey: ['message', id],
    queryFn: async () => unwrap(await api.GET('/v1/messages/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    refetchInterval: (query) => {
      const s = query.state.data?.status;
      return s && ['accepted', 'queued', 'submitted', 'scheduled'].includes(s) ? 2_000 : false;
    },
  });
  const m = q.data;
  return (
    <Drawer
      anchor="right"
      open={id !== null}
      onClose={onClose}
      // Above the app bar (which sits over the navigation drawer).
      sx={{ zIndex: (t) => t.zIndex.modal }}
      slotProps={{ paper: { sx: { width: { xs: '100%', sm: 440 } }, 'aria-labelledby': 'message-drawer-title' } }}>
      <Box sx={{ p: 2 }} role="region" aria-label="Message details">
        <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }} id="message-drawer-title">
            Message {id}
          </Typography>
          <IconButton aria-label="Close details" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Stack>
        <ProblemAlert error={q.error} />
        {q.isLoading && <Skeleton variant="rectangular" height={160} />}
        {m && (
          <Stack spacing={1.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <StatusChip status={m.status} />
              <Typography variant="body2" color="text.secondary">
                {m.segments} segment{m.segments === 1 ? '' : 's'} · {m.encoding ?? 'gsm7'}
                {m.price !== undefined && <> · {formatMoney(m.price)}</>}
              </Typography>
            </Stack>
            <Typography variant="body2">
              <b>To</b> {m.to} {m.from ? <> · <b>From</b> {m.from}</> : null}
            </Typography>
            {m.text !== undefined && (
              <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', bgcolor: 'action.hover', p: 1, borderRadius: 1 }}>
                {m.text}
              </Typography>
            )}
            {m.client_ref && (
              <Typography variant="body2">
                Reference: {m.client_ref}
                {campaignOf(m.client_ref) && (
                  <>
                    {' · '}
                    <Link component={RouterLink} to={`/campaigns/${campaignOf(m.client_ref)}`}>
                      campaign {campaignOf(m.client_ref)}
                    </Link>
                  </>
                )}
              </Typography>
            )}
            <Divider />
            <Typography variant="subtitle2" component="h3">
              Timeline
            </Typography>
            <Timeline history={m.history ?? []} />
            <CarrierErrors history={m.history ?? []} />
            <ReceiptHistory history={m.history ?? []} />
          </Stack>
        )}
      </Box>
    </Drawer>
  );
}
