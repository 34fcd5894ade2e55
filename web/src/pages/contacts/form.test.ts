import { describe, expect, it } from 'vitest';
import { contactBody, emptyForm, formFromContact, type FieldDecl } from './form';

const decls: FieldDecl[] = [
  { name: 'score', type: 'number' },
  { name: 'vip', type: 'boolean' },
  { name: 'signup', type: 'date' },
  { name: 'plan', type: 'text' },
];

describe('contactBody', () => {
  it('leaves empty members out of a new contact and types custom values', () => {
    const body = contactBody(
      { ...emptyForm, phone: ' +447700900123 ', first_name: 'Ada', tags: 'vip, , news', fields: { score: '42', vip: 'false', signup: '2026-11-30', plan: '' } },
      decls,
    );
    expect(body).toEqual({ phone: '+447700900123', first_name: 'Ada', tags: ['vip', 'news'], fields: { score: 42, vip: false, signup: '2026-11-30' } });
  });
  it('sends every member of a change and null for a removed value', () => {
    const original = formFromContact({
      phone: '447700900123', first_name: 'Ada', last_name: 'L', email: '', language: 'en', time_zone: 'Europe/London',
      tags: ['vip'], fields: { score: 42, vip: true },
    });
    expect(original.phone).toBe('+447700900123');
    expect(original.fields).toEqual({ score: '42', vip: 'true' });
    const body = contactBody({ ...original, last_name: '', tags: '', fields: { score: '', vip: 'true' } }, decls, original);
    expect(body).toEqual({
      phone: '+447700900123', first_name: 'Ada', last_name: '', email: '', language: 'en', time_zone: 'Europe/London',
      tags: [], fields: { score: null, vip: true },
    });
  });
});
