// The segment rule builder's state and its translation to the API's
// SegmentRules (api/openapi/segments.json): which operators each field takes
// and what kind of value each operator wants.

/** FieldType is a custom field's declared type (GET /v1/contact-fields). */
export type FieldType = 'text' | 'number' | 'date' | 'boolean';

/** ValueKind is what an operator's value is: none, text, a number, a day count, a date, a list id, yes/no. */
export type ValueKind = 'none' | 'text' | 'number' | 'days' | 'date' | 'list' | 'bool';

/** Condition is one row of the builder; its value is kept as the text of its input. */
export interface Condition {
  field: string;
  op: string;
  value: string;
}

/** RuleState is the whole builder. */
export interface RuleState {
  match: 'all' | 'any';
  conditions: Condition[];
}

/** ApiCondition and ApiRules are the API's SegmentCondition and SegmentRules. */
export interface ApiCondition {
  field: string;
  op: string;
  value?: unknown;
}
export interface ApiRules {
  match?: 'all' | 'any';
  conditions?: ApiCondition[];
}

const textOps: Record<string, ValueKind> = {
  eq: 'text', neq: 'text', contains: 'text', starts_with: 'text', empty: 'none', not_empty: 'none',
};
const opsByKind: Record<string, Record<string, ValueKind>> = {
  text: textOps,
  number: { eq: 'number', neq: 'number', lt: 'number', gt: 'number', empty: 'none', not_empty: 'none' },
  date: { before: 'date', after: 'date', within_last_days: 'days', empty: 'none', not_empty: 'none' },
  boolean: { is: 'bool' },
  tags: { has: 'text', has_not: 'text' },
  list: { in_list: 'list', not_in_list: 'list' },
  days: { within_last_days: 'days' },
};

const builtin: Record<string, string> = {
  phone: 'text', first_name: 'text', last_name: 'text', email: 'text', language: 'text', time_zone: 'text',
  tags: 'tags', list: 'list', created_at: 'days', sent: 'days', delivered: 'days', replied: 'days', opted_out: 'boolean',
};

/** fieldLabels name the built-in fields for people. */
export const fieldLabels: Record<string, string> = {
  phone: 'Phone', first_name: 'First name', last_name: 'Last name', email: 'Email', language: 'Language',
  time_zone: 'Time zone', tags: 'Tags', list: 'List', created_at: 'Created', sent: 'Sent a message',
  delivered: 'Delivered a message', replied: 'Replied', opted_out: 'Opted out',
};

/** opLabels name the operators for people. */
export const opLabels: Record<string, string> = {
  eq: 'is', neq: 'is not', contains: 'contains', starts_with: 'starts with', empty: 'is empty', not_empty: 'is not empty',
  lt: 'less than', gt: 'greater than', before: 'before', after: 'after', within_last_days: 'within the last (days)',
  is: 'is', has: 'has tag', has_not: 'has not tag', in_list: 'in list', not_in_list: 'not in list',
};

/** fieldOptions lists the fields a condition can test: the built-ins, then each declared custom field. */
export function fieldOptions(custom: { name: string; type: FieldType }[]): string[] {
  return [...Object.keys(builtin), ...custom.map((f) => `field.${f.name}`)];
}

function kindOf(field: string, custom: { name: string; type: FieldType }[]): string | undefined {
  if (field.startsWith('field.')) return custom.find((f) => `field.${f.name}` === field)?.type;
  return builtin[field];
}

/** operators returns the operators a field takes, with the value kind of each ({} for an unknown field). */
export function operators(field: string, custom: { name: string; type: FieldType }[]): Record<string, ValueKind> {
  const k = kindOf(field, custom);
  return k ? opsByKind[k] : {};
}

/** newCondition is a condition on field with its first operator and an empty value. */
export function newCondition(field: string, custom: { name: string; type: FieldType }[]): Condition {
  const ops = Object.keys(operators(field, custom));
  const op = ops[0] ?? '';
  return { field, op, value: operators(field, custom)[op] === 'bool' ? 'true' : '' };
}

/** conditionProblem says why a condition cannot be sent yet, or null. */
export function conditionProblem(c: Condition, custom: { name: string; type: FieldType }[]): string | null {
  const kind = operators(c.field, custom)[c.op];
  if (!kind) return 'Choose a field and an operator.';
  const v = c.value.trim();
  switch (kind) {
    case 'none':
      return null;
    case 'text':
      return v === '' ? 'Enter a value.' : null;
    case 'number':
      return v === '' || !Number.isFinite(Number(v)) ? 'Enter a number.' : null;
    case 'days': {
      const n = Number(v);
      return Number.isInteger(n) && n >= 1 && n <= 36500 ? null : 'Enter a number of days from 1 to 36500.';
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? null : 'Enter a date as YYYY-MM-DD.';
    case 'list':
      return /^[1-9]\d*$/.test(v) ? null : 'Choose a list.';
    case 'bool':
      return v === 'true' || v === 'false' ? null : 'Choose yes or no.';
  }
}

/** toApiRules turns the builder's state into the API's SegmentRules, each value as its operator wants it. */
export function toApiRules(s: RuleState, custom: { name: string; type: FieldType }[]): ApiRules {
  return {
    match: s.match,
    conditions: s.conditions.map((c) => {
      const kind = operators(c.field, custom)[c.op];
      const v = c.value.trim();
      switch (kind) {
        case 'none':
          return { field: c.field, op: c.op };
        case 'number':
        case 'days':
        case 'list':
          return { field: c.field, op: c.op, value: Number(v) };
        case 'bool':
          return { field: c.field, op: c.op, value: v === 'true' };
        default:
          return { field: c.field, op: c.op, value: v };
      }
    }),
  };
}

/** fromApiRules turns stored SegmentRules back into the builder's state, to edit a saved segment. */
export function fromApiRules(r: ApiRules | undefined): RuleState {
  return {
    match: r?.match === 'any' ? 'any' : 'all',
    conditions: (r?.conditions ?? []).map((c) => ({
      field: c.field,
      op: c.op,
      value: c.value === undefined || c.value === null ? '' : String(c.value),
    })),
  };
}

/** rulesProblem is the first condition's problem (with its number), or null when every condition is complete. */
export function rulesProblem(s: RuleState, custom: { name: string; type: FieldType }[]): string | null {
  for (let i = 0; i < s.conditions.length; i++) {
    const p = conditionProblem(s.conditions[i], custom);
    if (p) return `Condition ${i + 1}: ${p}`;
  }
  return null;
}
