import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router';
import { Chip, List, ListItem, ListItemButton, ListItemText, Paper, Skeleton, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatTime } from '../../lib/format';

const stateColour: Record<string, 'default' | 'primary' | 'success' | 'warning' | 'error'> = {
  running: 'primary',
  launching: 'primary',
  scheduled: 'primary',
  paused: 'warning',
  completed: 'success',
  cancelled: 'error',
};

/** RecentCampaigns lists the account's five newest campaigns, each linking to its page. */
export function RecentCampaigns() {
  const q = useQuery({
    queryKey: ['campaigns', 'recent'],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns', { params: { query: { limit: 5 } } })),
  });
  const items = q.data?.data ?? [];
  return (
    <Paper variant="outlined" sx={{ p: 2, height: '100%' }} component="section" aria-labelledby="campaigns-title">
      <Typography variant="subtitle1" component="h2" id="campaigns-title">
        Recent campaigns
      </Typography>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={120} />}
      {q.isSuccess && items.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No campaigns yet: create one from Campaigns to message a list or a segment at once.
        </Typography>
      )}
      <List dense aria-labelledby="campaigns-title">
        {items.map((c) => (
          <ListItem key={c.id} disablePadding>
            <ListItemButton component={RouterLink} to={`/campaigns/${c.id}`}>
              <ListItemText primary={c.name} secondary={`${c.targeted ? `${c.targeted} recipients · ` : ''}${formatTime(c.launched_at ?? c.created_at)}`} />
              <Chip size="small" variant="outlined" label={c.state} color={stateColour[c.state] ?? 'default'} />
            </ListItemButton>
          </ListItem>
        ))}
      </List>
    </Paper>
  );
}
