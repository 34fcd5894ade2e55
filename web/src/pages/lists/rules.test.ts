import { describe, expect, it } from 'vitest';
import {
  conditionProblem, fieldOptions, fromApiRules, newCondition, operators, rulesProblem, toApiRules, type FieldType,
} from './rules';

const custom: { name: string; type: FieldType }[] = [
  { name: 'score', type: 'number' },
  { name: 'signup', type: 'date' },
  { name: 'vip', type: 'boolean' },
  { name: 'plan', type: 'text' },
];

describe('operators', () => {
  it('follow the field type', () => {
    expect(Object.keys(operators('first_name', custom))).toEqual(['eq', 'neq', 'contains', 'starts_with', 'empty', 'not_empty']);
    expect(Object.keys(operators('field.score', custom))).toEqual(['eq', 'neq', 'lt', 'gt', 'empty', 'not_empty']);
    expect(Object.keys(operators('field.signup', custom))).toEqual(['before', 'after', 'within_last_days', 'empty', 'not_empty']);
    expect(Object.keys(operators('field.vip', custom))).toEqual(['is']);
    expect(Object.keys(operators('tags', custom))).toEqual(['has', 'has_not']);
    expect(Object.keys(operators('list', custom))).toEqual(['in_list', 'not_in_list']);
    expect(Object.keys(operators('delivered', custom))).toEqual(['within_last_days']);
    expect(operators('field.gone', custom)).toEqual({});
  });
  it('fieldOptions lists built-ins then custom fields', () => {
    const f = fieldOptions(custom);
    expect(f[0]).toBe('phone');
    expect(f).toContain('opted_out');
    expect(f.slice(-4)).toEqual(['field.score', 'field.signup', 'field.vip', 'field.plan']);
  });
  it('newCondition picks the first operator; yes/no starts at yes', () => {
    expect(newCondition('field.vip', custom)).toEqual({ field: 'field.vip', op: 'is', value: 'true' });
    expect(newCondition('email', custom)).toEqual({ field: 'email', op: 'eq', value: '' });
  });
});

describe('toApiRules', () => {
  it('types each value as its operator wants', () => {
    const body = toApiRules(
      {
        match: 'any',
        conditions: [
          { field: 'first_name', op: 'starts_with', value: ' Ann ' },
          { field: 'field.score', op: 'gt', value: '42.5' },
          { field: 'field.signup', op: 'within_last_days', value: '30' },
          { field: 'field.signup', op: 'before', value: '2026-01-31' },
          { field: 'opted_out', op: 'is', value: 'false' },
          { field: 'list', op: 'in_list', value: '7' },
          { field: 'email', op: 'empty', value: 'ignored' },
          { field: 'tags', op: 'has', value: 'vip' },
        ],
      },
      custom,
    );
    expect(body).toEqual({
      match: 'any',
      conditions: [
        { field: 'first_name', op: 'starts_with', value: 'Ann' },
        { field: 'field.score', op: 'gt', value: 42.5 },
        { field: 'field.signup', op: 'within_last_days', value: 30 },
        { field: 'field.signup', op: 'before', value: '2026-01-31' },
        { field: 'opted_out', op: 'is', value: false },
        { field: 'list', op: 'in_list', value: 7 },
        { field: 'email', op: 'empty' },
        { field: 'tags', op: 'has', value: 'vip' },
      ],
    });
  });
  it('round-trips through fromApiRules', () => {
    const api = { match: 'all' as const, conditions: [{ field: 'delivered', op: 'within_last_days', value: 30 }, { field: 'opted_out', op: 'is', value: false }] };
    expect(toApiRules(fromApiRules(api), custom)).toEqual(api);
    expect(fromApiRules(undefined)).toEqual({ match: 'all', conditions: [] });
  });
});

describe('problems', () => {
  it('finds incomplete conditions before the API does', () => {
    expect(conditionProblem({ field: 'field.score', op: 'lt', value: 'abc' }, custom)).toMatch(/number/);
    expect(conditionProblem({ field: 'sent', op: 'within_last_days', value: '0' }, custom)).toMatch(/days/);
    expect(conditionProblem({ field: 'field.signup', op: 'after', value: '31/01/2026' }, custom)).toMatch(/YYYY-MM-DD/);
    expect(conditionProblem({ field: 'list', op: 'in_list', value: '' }, custom)).toMatch(/list/);
    expect(conditionProblem({ field: 'phone', op: 'empty', value: '' }, custom)).toBeNull();
    expect(rulesProblem({ match: 'all', conditions: [{ field: 'phone', op: 'empty', value: '' }, { field: 'tags', op: 'has', value: '' }] }, custom)).toBe(
      'Condition 2: Enter a value.',
    );
  });
});

import { describeRules } from './describe';

describe('describeRules', () => {
  it('writes rules in one line', () => {
    expect(describeRules(undefined)).toBe('every contact');
    expect(describeRules({ match: 'any', conditions: [{ field: 'tags', op: 'has', value: 'vip' }, { field: 'field.score', op: 'gt', value: 3 }, { field: 'email', op: 'empty' }] })).toBe(
      'any of: Tags has tag vip, score greater than 3, Email is empty',
    );
  });
});
