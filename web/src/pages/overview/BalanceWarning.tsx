import { Alert, AlertTitle } from '@mui/material';
import { formatMoney } from '../../lib/format';
import { fixedRuleDays, type BalanceWarning as Warning } from './balance';

/** BalanceWarning tells the user the balance is low, and by which rule. */
export function BalanceWarning({ warning, available, currency }: { warning: Warning; available: number; currency: string }) {
  if (!warning.low) return null;
  const days = warning.daysLeft === null ? '' : ` It lasts about ${Math.floor(warning.daysLeft)} day${Math.floor(warning.daysLeft) === 1 ? '' : 's'} at this period's spend.`;
  const why =
    warning.rule === 'threshold'
      ? `below the account's alert threshold of ${formatMoney(warning.limit, currency)}.`
      : `below ${formatMoney(warning.limit, currency)}: a week (${fixedRuleDays} days) of this period's spend, and at least ${formatMoney(1_000_000, currency)} (no alert threshold is set).`;
  return (
    <Alert severity="warning" sx={{ mb: 2 }}>
      <AlertTitle>Low balance</AlertTitle>
      The available balance, {formatMoney(available, currency)}, is {why}
      {days} Top up before messages are refused.
    </Alert>
  );
}
