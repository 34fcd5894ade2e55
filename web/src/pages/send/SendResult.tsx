import { Link as RouterLink } from 'react-router';
import { Alert, AlertTitle, Box, Link, List, ListItem, ListItemText, Typography } from '@mui/material';
import { formatCount, formatMoney } from '../../lib/format';
import type { Outcome } from './send';

const shown = 50;

/**
 * SendResult says what the API accepted: the message ids (each linked to
 * Messages), the numbers it refused with its reason, or the campaign.
 */
export function SendResult({ outcome, currency }: { outcome: Outcome; currency: string }) {
  if (outcome.kind === 'campaign') {
    const c = outcome.campaign;
    return (
      <Alert severity="success" role="region" aria-label="Send result">
        <AlertTitle>
          Campaign {c.id} {c.state === 'scheduled' ? 'scheduled' : 'launched'}
        </AlertTitle>
        {formatCount(c.targeted)} recipient{c.targeted === 1 ? '' : 's'}
        {c.excluded ? `, ${formatCount(c.excluded)} left out (opted out or in a do-not-disturb registry)` : ''}.{' '}
        Its messages appear in <Link component={RouterLink} to="/messages">Messages</Link> as they are sent.
      </Alert>
    );
  }
  const { accepted, refused } = outcome;
  const price = accepted.reduce((s, a) => s + (a.price ?? 0), 0);
  const single = accepted.length === 1 && refused.length === 0;
  return (
    <Alert severity={accepted.length === 0 ? 'error' : refused.length ? 'warning' : 'success'} role="region" aria-label="Send result">
      <AlertTitle>
        {single
          ? `Message ${accepted[0].id} accepted`
          : `${formatCount(accepted.length)} accepted, ${formatCount(refused.length)} refused`}
      </AlertTitle>
      {single && (
        <Typography variant="body2">
          To {accepted[0].to}, {accepted[0].segments} segment{accepted[0].segments === 1 ? '' : 's'}
          {accepted[0].price !== undefined ? `, ${formatMoney(accepted[0].price, currency, 4)}` : ''}.{' '}
          <Link component={RouterLink} to={`/messages?id=${accepted[0].id}`}>
            Follow it in Messages
          </Link>
        </Typography>
      )}
      {!single && accepted.length > 0 && (
        <Box>
          <Typography variant="body2">Charged {formatMoney(price, currency, 4)} in all.</Typography>
          <List dense aria-label="Accepted messages">
            {accepted.slice(0, shown).map((a) => (
              <ListItem key={a.id} disableGutters disablePadding>
                <ListItemText
                  primary={
                    <>
                      {a.to}: <Link component={RouterLink} to={`/messages?id=${a.id}`}>{a.id}</Link>
                    </>
                  }
                />
              </ListItem>
            ))}
          </List>
          {accepted.length > shown && <Typography variant="body2">and {formatCount(accepted.length - shown)} more.</Typography>}
        </Box>
      )}
      {refused.length > 0 && (
        <List dense aria-label="Refused numbers">
          {refused.slice(0, shown).map((r, i) => (
            <ListItem key={i} disableGutters disablePadding>
              <ListItemText primary={<><b>{r.to}</b>: {r.problem.title}{r.problem.detail ? ` (${r.problem.detail})` : ''}</>} />
            </ListItem>
          ))}
        </List>
      )}
    </Alert>
  );
}
