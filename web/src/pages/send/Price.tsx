import { useQueries } from '@tanstack/react-query';
import { Alert, Button, Skeleton, Stack, Typography } from '@mui/material';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatMoney } from '../../lib/format';
import { quote, type Quote } from './data';
import type { Estimate } from './send';
import { useDebounced } from '../../lib/useDebounced';

/** PRICED_NUMBERS is how many distinct numbers are priced one by one; beyond, the rest are extrapolated. */
export const PRICED_NUMBERS = 100;

/** Total is the price of a text to numbers, from per-number quotes. */
export interface Total {
  total: number;
  currency: string;
  /** Numbers the plan does not price, with the API's reason. */
  notPriced: { to: string; reason: string }[];
  /** True when only the first PRICED_NUMBERS were priced and the rest extrapolated. */
  extrapolated: boolean;
  billingOff: boolean;
}

/** totalOf adds up quotes for numbers (the first quotes.length of them) × segments. */
export function totalOf(numbers: string[], quotes: Quote[], segments: number): Total {
  const t: Total = { total: 0, currency: 'EUR', notPriced: [], extrapolated: numbers.length > quotes.length, billingOff: false };
  let priced = 0;
  quotes.forEach((q, i) => {
    if ('off' in q) t.billingOff = true;
    else if ('notPriced' in q) t.notPriced.push({ to: numbers[i], reason: q.notPriced });
    else {
      t.total += q.perSegment * segments;
      t.currency = q.currency;
      priced++;
    }
  });
  if (t.extrapolated && priced > 0) {
    t.total = Math.round((t.total / priced) * (priced + (numbers.length - quotes.length)));
  }
  return t;
}

/** NumbersPrice quotes a text of segments to the numbers by the account's plan (GET /v1/pricing). */
export function NumbersPrice({ numbers: typed, segments }: { numbers: string[]; segments: number }) {
  // Priced once typing pauses: a number being typed is valid at several lengths.
  const numbers = useDebounced(typed, 300);
  const sample = numbers.slice(0, PRICED_NUMBERS);
  const qs = useQueries({
    queries: sample.map((to) => ({ queryKey: ['pricing', to], queryFn: () => quote(to), staleTime: 300_000 })),
  });
  if (numbers.length === 0) return null;
  const failed = qs.find((q) => q.error);
  if (failed) return <ProblemAlert error={failed.error} />;
  if (qs.some((q) => !q.data)) return <Skeleton width={240} aria-label="Pricing" />;
  const t = totalOf(numbers, qs.map((q) => q.data as Quote), segments);
  if (t.billingOff) return <Typography variant="body2">Billing is off on this gateway: messages are not charged.</Typography>;
  return (
    <Stack spacing={1}>
      <Typography variant="body1" data-testid="price">
        Price: <b>{t.extrapolated ? '≈ ' : ''}{formatMoney(t.total, t.currency, 4)}</b> for {formatCount(numbers.length)} message
        {numbers.length === 1 ? '' : 's'} of {segments} segment{segments === 1 ? '' : 's'}
        {t.extrapolated ? ` (the first ${PRICED_NUMBERS} numbers priced, the rest at their average)` : ''}
      </Typography>
      {t.notPriced.length > 0 && (
        <Alert severity="warning">
          Not priced by your plan, so refused when sent: {t.notPriced.map((n) => n.to).join(', ')} ({t.notPriced[0].reason})
        </Alert>
      )}
    </Stack>
  );
}

/**
 * CampaignPrice shows the API's estimate for a send that goes through a
 * campaign (lists, segments, personal fields): asked for on demand, since
 * it reads the whole audience.
 */
export function CampaignPrice({
  estimate, error, pending, onEstimate, stale,
}: { estimate?: Estimate; error: unknown; pending: boolean; onEstimate: () => void; stale: boolean }) {
  return (
    <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
      <ProblemAlert error={error} />
      {estimate && !stale && (
        <Typography variant="body1" data-testid="price">
          Price: <b>{formatMoney(estimate.total, estimate.currency ?? 'EUR', 4)}</b> for {formatCount(estimate.recipients)} recipient
          {estimate.recipients === 1 ? '' : 's'} ({estimate.encoding === 'ucs2' ? 'UCS-2' : 'GSM-7'}, {estimate.segments} segment
          {estimate.segments === 1 ? '' : 's'} each as written)
          {estimate.opted_out ? `; ${formatCount(estimate.opted_out)} opted out, left out` : ''}
          {estimate.unpriced ? `; ${formatCount(estimate.unpriced)} not priced` : ''}
          {estimate.available !== undefined ? `. Available: ${formatMoney(estimate.available, estimate.currency ?? 'EUR')}` : ''}
          {estimate.shortfall > 0 ? `, short by ${formatMoney(estimate.shortfall, estimate.currency ?? 'EUR')}` : ''}.
        </Typography>
      )}
      <Button variant="outlined" size="small" onClick={onEstimate} disabled={pending}>
        {estimate && !stale ? 'Estimate again' : 'Estimate the price'}
      </Button>
    </Stack>
  );
}
