import { fieldLabels, opLabels, type ApiRules } from './rules';

/** describeRules writes a segment's rules in one line for people ("all of: Tags has tag vip, …"). */
export function describeRules(r: ApiRules | undefined): string {
  const cs = r?.conditions ?? [];
  if (cs.length === 0) return 'every contact';
  const parts = cs.map((c) => {
    const f = c.field.startsWith('field.') ? c.field.slice(6) : fieldLabels[c.field] ?? c.field;
    const v = c.value === undefined ? '' : ` ${String(c.value)}`;
    return `${f} ${opLabels[c.op] ?? c.op}${v}`;
  });
  return `${r?.match === 'any' ? 'any' : 'all'} of: ${parts.join(', ')}`;
}
