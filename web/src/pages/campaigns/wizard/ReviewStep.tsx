import { Alert, AlertTitle, Box, Button, Chip, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { Schemas } from '../../../api/client';
import { toProblem } from '../../../api/problem';
import { ProblemAlert } from '../../../components/ProblemAlert';
import { formatCount, formatMoney } from '../../../lib/format';
import { parseNumbers, type Draft, type Step } from './draft';

type Estimate = Schemas['CampaignEstimate'];

/** stepOfField says which wizard step holds an API field named in a problem. */
export function stepOfField(field: string | undefined): Step | undefined {
  if (!field) return undefined;
  if (/^(name|from|kind|audience|drip\.(list_id|segment_id))/.test(field)) return 'audience';
  if (/^(text|template_id|ab|drip)/.test(field)) return 'message';
  if (/^(send_at|local_time|max_rate|spread_hours|validity)/.test(field)) return 'schedule';
  return undefined;
}

function Line({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack direction="row" spacing={2}>
      <Typography variant="body2" color="text.secondary" sx={{ minWidth: 120 }}>
        {label}
      </Typography>
      <Typography variant="body2" component="div">{children}</Typography>
    </Stack>
  );
}

function Summary({ d }: { d: Draft }) {
  const n = parseNumbers(d.numbers).length;
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Stack spacing={0.75}>
        <Line label="Name">{d.name}</Line>
        <Line label="Sender">{d.from}</Line>
        <Line label="Kind">{d.kind}</Line>
        {d.mode === 'drip' ? (
          <Line label="Sequence">
            {d.steps.length} step{d.steps.length === 1 ? '' : 's'} on entry into the {d.dripSource}
          </Line>
        ) : (
          <>
            <Line label="Audience">
              {[d.listIds.length && `${d.listIds.length} list(s)`, d.segmentIds.length && `${d.segmentIds.length} segment(s)`, n && `${n} number(s)`]
                .filter(Boolean)
                .join(', ')}
            </Line>
            <Line label="Message">
              {d.mode === 'ab'
                ? `A/B test of ${d.variants.length} variants on ${d.testPercent}% by ${d.metric} rate`
                : d.body.source === 'template'
                  ? `Template #${d.body.templateId}`
                  : d.body.text}
            </Line>
            <Line label="When">
              {d.when === 'now' ? 'At the launch' : new Date(d.sendAt).toLocaleString()}
              {d.localTime ? `, each recipient at ${d.localTime} their time` : ''}
            </Line>
            <Line label="Pacing">
              {d.pacing === 'none' ? 'Platform rate' : d.pacing === 'rate' ? `${d.maxRate} a second` : `Spread over ${d.spreadHours} h`}
            </Line>
          </>
        )}
      </Stack>
    </Paper>
  );
}

/** EstimateView shows what the campaign will cost against the balance. */
export function EstimateView({ e }: { e: Estimate }) {
  const cur = e.currency ?? 'EUR';
  return (
    <Stack spacing={2} aria-label="Estimate" role="region">
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>
        <Chip label={`${formatCount(e.recipients)} recipients`} color="primary" />
        <Chip label={`${formatCount(e.opted_out)} opted out`} variant="outlined" />
        <Chip label={`${e.segments} segment${e.segments === 1 ? '' : 's'} each (${e.encoding})`} variant="outlined" />
        {e.unpriced > 0 && <Chip color="warning" label={`${formatCount(e.unpriced)} without a price`} />}
      </Stack>
      {e.countries.length > 0 && (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Cost by country">
            <TableHead>
              <TableRow>
                <TableCell>Country code</TableCell>
                <TableCell align="right">Recipients</TableCell>
                <TableCell align="right">Cost</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {e.countries.map((c) => (
                <TableRow key={c.country}>
                  <TableCell>+{c.country}</TableCell>
                  <TableCell align="right">{formatCount(c.recipients)}</TableCell>
                  <TableCell align="right">{formatMoney(c.cost, cur)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      <Stack direction="row" spacing={3} sx={{ flexWrap: 'wrap' }}>
        <Typography>
          Total <b>{formatMoney(e.total, cur)}</b>
        </Typography>
        {e.available !== undefined && <Typography>Available balance {formatMoney(e.available, cur)}</Typography>}
      </Stack>
      {e.shortfall > 0 && (
        <Alert severity="error">
          <AlertTitle>The balance is short by {formatMoney(e.shortfall, cur)}</AlertTitle>
          Top up the account or narrow the audience before launching.
        </Alert>
      )}
    </Stack>
  );
}

/** LaunchError explains a refused launch; a 402 says by how much the balance is short. */
export function LaunchError({ error, estimate }: { error: unknown; estimate?: Estimate }) {
  if (!error) return null;
  const p = toProblem(error);
  if (p.status === 402) {
    return (
      <Alert severity="error" role="alert" sx={{ mb: 2 }}>
        <AlertTitle>Not launched: the balance does not cover this campaign</AlertTitle>
        {estimate && estimate.shortfall > 0 && (
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            Short by {formatMoney(estimate.shortfall, estimate.currency ?? 'EUR')}: top up the account or narrow the audience.
          </Typography>
        )}
        <Typography variant="body2">{p.detail}</Typography>
      </Alert>
    );
  }
  return <ProblemAlert error={error} />;
}

/** ReviewStep shows the draft, the API's estimate and what went wrong, if anything. */
export function ReviewStep(props: {
  draft: Draft;
  estimate?: Estimate;
  loading: boolean;
  error: unknown;
  onFix: (s: Step) => void;
}) {
  const { draft, estimate, loading, error, onFix } = props;
  const fix = error ? stepOfField(toProblem(error).field) : undefined;
  return (
    <Stack spacing={2}>
      <Summary d={draft} />
      {error ? (
        <Box>
          <ProblemAlert error={error} />
          {fix && <Button onClick={() => onFix(fix)}>Go to the {fix} step</Button>}
        </Box>
      ) : null}
      {loading && <Skeleton variant="rectangular" height={120} aria-label="Estimating" />}
      {estimate && <EstimateView e={estimate} />}
      {estimate && draft.mode === 'drip' && (
        <Typography variant="body2" color="text.secondary">
          A drip sequence is charged step by step as contacts enter it, each message at its price when sent.
        </Typography>
      )}
    </Stack>
  );
}
