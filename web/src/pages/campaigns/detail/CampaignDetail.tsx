import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Box, Button, Card, CardContent, Divider, Grid, Skeleton, Stack, Typography } from '@mui/material';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { api, type Schemas } from '../../../api/client';
import { unwrap } from '../../../api/problem';
import { PageHeader } from '../../../components/PageHeader';
import { ProblemAlert } from '../../../components/ProblemAlert';
import { formatCount, formatMoney, formatPercent, formatTime } from '../../../lib/format';
import { StateChip } from '../StateChip';
import { CampaignActions } from './CampaignActions';
import { RecipientsGrid } from './RecipientsGrid';
import { failedOf, StatsCharts } from './StatsCharts';

type Campaign = Schemas['Campaign'];

const live = new Set(['launching', 'scheduled', 'running', 'paused']);

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Card variant="outlined">
      <CardContent sx={{ py: 1.5, '&:last-child': { pb: 1.5 } }}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h6" component="p" aria-label={`${label}: ${value}`}>
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
}

function About({ c }: { c: Campaign }) {
  const a = c.audience;
  const parts = [
    a.list_ids?.length && `${a.list_ids.length} list(s)`,
    a.segment_ids?.length && `${a.segment_ids.length} segment(s)`,
    a.numbers?.length && `${a.numbers.length} number(s)`,
  ].filter(Boolean);
  return (
    <Typography variant="body2" color="text.secondary">
      {c.kind} · from {c.from} · {c.drip ? `drip on ${c.drip.list_id ? `list #${c.drip.list_id}` : `segment #${c.drip.segment_id}`}, ${c.drip.steps.length} step(s)` : parts.join(', ')}
      {c.send_at ? ` · starts ${formatTime(c.send_at)}` : ''}
      {c.local_time ? ` · at ${c.local_time} local time` : ''}
      {c.max_rate ? ` · ${c.max_rate}/s` : ''}
      {c.spread_hours ? ` · spread over ${c.spread_hours} h` : ''}
      {c.launched_at ? ` · launched ${formatTime(c.launched_at)}` : ''}
      {c.finished_at ? ` · finished ${formatTime(c.finished_at)}` : ''}
    </Typography>
  );
}

/** CampaignDetail shows one campaign: its live statistics with charts, its actions and its recipients. */
export function CampaignDetail() {
  const id = Number(useParams().id);
  const [actionError, setActionError] = useState<unknown>(null);
  const cq = useQuery({
    queryKey: ['campaign', id],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: (q) => (q.state.data && live.has(q.state.data.state) ? 3_000 : false),
  });
  const c = cq.data;
  const sq = useQuery({
    queryKey: ['campaign-stats', id],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{id}/stats', { params: { path: { id } } })),
    enabled: !!c && c.state !== 'draft',
    // Live while it runs; receipts keep coming for a while after the last send.
    refetchInterval: () => (c && (live.has(c.state) || Date.now() - Date.parse(c.finished_at ?? '') < 10 * 60_000) ? 3_000 : 30_000),
  });
  const t = sq.data?.totals;
  const cur = 'EUR';
  const back = (
    <Button component={Link} to="/campaigns" startIcon={<ArrowBackIcon />}>
      Campaigns
    </Button>
  );
  if (cq.error || !c) {
    return (
      <>
        <PageHeader title="Campaign" actions={back} />
        <ProblemAlert error={cq.error} />
        {cq.isLoading && <Skeleton variant="rectangular" height={200} />}
        {!Number.isInteger(id) && <Alert severity="warning">No such campaign.</Alert>}
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={c.name}
        subtitle={<About c={c} />}
        actions={
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
            <StateChip state={c.state} />
            <CampaignActions c={c} onError={setActionError} />
          </Stack>
        }
      />
      <ProblemAlert error={actionError} onClose={() => setActionError(null)} />
      {c.reason && <Alert severity="info" sx={{ mb: 2 }}>{c.reason}</Alert>}
      {c.ab && (
        <Alert severity={c.ab.winner ? 'success' : 'info'} sx={{ mb: 2 }}>
          A/B test of {c.ab.variants.length} variants on {c.ab.test_percent}% by {c.ab.metric} rate
          {c.ab.winner ? `: variant ${c.ab.winner} won` : c.ab.manual ? ': you pick the winner' : ''}
          {c.ab.rates ? ` (${c.ab.rates.map((r, i) => `variant ${i + 1} ${formatPercent(r)}`).join(', ')})` : ''}
          {c.ab.reason ? `. ${c.ab.reason}` : ''}
        </Alert>
      )}
      {c.state === 'draft' ? (
        <Alert severity="info">This campaign is a draft: estimate its cost and launch it, or delete it.</Alert>
      ) : (
        <Stack spacing={3}>
          <ProblemAlert error={sq.error} />
          <Grid container spacing={2} aria-label="Statistics" role="region">
            {[
              ['Targeted', formatCount(t?.targeted ?? c.targeted)],
              ['Sent', formatCount(t?.sent)],
              ['Delivered', formatCount(t?.delivered)],
              ['Failed', t ? formatCount(failedOf(t)) : '–'],
              ['Not sent yet', formatCount(t?.pending)],
              ['Skipped', formatCount(t?.skipped)],
              ['Delivery rate', formatPercent(t?.delivery_rate)],
              ['Opted out', formatCount(t?.opted_out)],
              ['Replies', formatCount(t?.replies)],
              ['Clicks', sq.data?.clicks ? `${formatCount(sq.data.clicks.total)} (${formatCount(sq.data.clicks.unique)} unique)` : '–'],
              ['Spend', formatMoney(t?.spend, cur)],
            ].map(([label, value]) => (
              <Grid key={label} size={{ xs: 6, sm: 4, md: 3, lg: 2 }}>
                <Figure label={label} value={sq.isLoading ? '…' : value} />
              </Grid>
            ))}
          </Grid>
          {sq.data && <StatsCharts stats={sq.data} drip={!!c.drip} />}
          <Divider />
          <Box>
            <RecipientsGrid id={c.id} by={c.ab ? 'variant' : c.drip ? 'step' : undefined} />
          </Box>
        </Stack>
      )}
    </>
  );
}
