import { describe, expect, it } from 'vitest';
import { askStatusLabel, noteError } from './topupAsk';

describe('top-up request form', () => {
  it('validates the note like the API', () => {
    expect(noteError('x'.repeat(256))).toBeTruthy();
    expect(noteError('for May')).toBeUndefined();
  });
  it('labels statuses', () => {
    expect(askStatusLabel('topped_up')).toBe('Topped up');
    expect(askStatusLabel('pending')).toBe('Pending');
  });
});
