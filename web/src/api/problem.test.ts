import { describe, expect, it } from 'vitest';
import { ProblemError, toProblem, unwrap } from './problem';
import { fieldError } from '../components/ProblemAlert';

const res = (status: number) => new Response(null, { status, statusText: `S${status}` });

describe('unwrap', () => {
  it('returns the data of a successful answer', () => {
    expect(unwrap({ data: { id: '7' }, response: res(200) })).toEqual({ id: '7' });
  });
  it('throws the API problem with its field', () => {
    const problem = { type: 'x/invalid-number', title: 'Invalid phone number', status: 400, detail: 'bad', field: 'to' };
    let caught: unknown;
    try {
      unwrap({ error: problem, response: res(400) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProblemError);
    expect((caught as ProblemError).status).toBe(400);
    expect(fieldError(caught, 'to')).toBe('bad');
    expect(fieldError(caught, 'text')).toBeUndefined();
  });
  it('explains a failure without a problem body', () => {
    expect(toProblem(new TypeError('Failed to fetch')).title).toMatch(/could not be reached/);
    expect(() => unwrap({ error: undefined, response: res(502) })).toThrow(ProblemError);
  });
});
