import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../api/problem';
import { problemOn } from './problemOn';

const problem = (field?: string, errors?: { field: string; detail: string }[]) =>
  new ProblemError({ type: 'https://docs.gallant.example/problems/invalid-number', title: 'Invalid phone number', status: 400, detail: 'bad', field, errors });

describe('problemOn', () => {
  it('matches the field and its members', () => {
    expect(problemOn(problem('to'), 'to')).toBe('bad');
    expect(problemOn(problem('audience.numbers[3]'), 'to', 'audience')).toBe('bad');
    expect(problemOn(problem('messages[2].to'), 'messages')).toBe('bad');
    expect(problemOn(problem('send_at'), 'to', 'text')).toBeUndefined();
    expect(problemOn(problem('toll'), 'to')).toBeUndefined();
    expect(problemOn(problem(undefined, [{ field: 'text', detail: 'too long' }]), 'text')).toBe('too long');
    expect(problemOn(null, 'to')).toBeUndefined();
  });
});
