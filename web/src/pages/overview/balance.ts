// The low-balance warning.

/** parseUnits reads a decimal amount of the currency ("5.000000") as micro-units, or null. */
export function parseUnits(s: string | null | undefined): number | null {
  if (!s || !/^-?\d+(\.\d{1,6})?$/.test(s.trim())) return null;
  const [int, frac = ''] = s.trim().replace('-', '').split('.');
  const micros = Number(int) * 1_000_000 + Number(frac.padEnd(6, '0'));
  return s.trim().startsWith('-') ? -micros : micros;
}

/** The fixed rule's horizon: warn when the balance would last fewer days than this. */
export const fixedRuleDays = 7;
/** The fixed rule's floor: warn below one unit of the currency whatever the spend. */
export const fixedRuleFloor = 1_000_000;

/** BalanceWarning says whether the balance is low and by which rule. */
export interface BalanceWarning {
  low: boolean;
  /** 'threshold': the account's alert threshold; 'fixed': fixedRuleDays of spend (at least fixedRuleFloor). */
  rule: 'threshold' | 'fixed';
  /** The level below which the balance is low, micro-units. */
  limit: number;
  /** Days the balance lasts at the period's average daily spend; null without spend. */
  daysLeft: number | null;
}

/**
 * balanceWarning judges the available balance (micro-units). With an
 * alert threshold above zero (GET /v1/accounts/{id}/alerts) the balance
 * is low below it, as the alert itself fires. Without one (not set, or
 * not readable by the caller) the fixed rule applies: low when it covers
 * fewer than fixedRuleDays days of the period's average daily spend, or
 * is under fixedRuleFloor.
 */
export function balanceWarning(available: number, dailySpend: number, threshold: number | null): BalanceWarning {
  const daysLeft = dailySpend > 0 ? Math.max(0, available) / dailySpend : null;
  if (threshold !== null && threshold > 0) {
    return { low: available < threshold, rule: 'threshold', limit: threshold, daysLeft };
  }
  const limit = Math.max(fixedRuleFloor, Math.ceil(dailySpend * fixedRuleDays));
  return { low: available < limit, rule: 'fixed', limit, daysLeft };
}
