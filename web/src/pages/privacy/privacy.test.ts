import { describe, expect, it } from 'vitest';
import { accountIdError, cleanPhone, eraseSummary, exportName, phoneError, subjectQuery } from './privacy';

describe('phone numbers', () => {
  it('takes international numbers with spaces and dashes', () => {
    expect(cleanPhone(' +44 7700-900.123 ')).toBe('+447700900123');
    expect(phoneError('+44 7700 900123')).toBeUndefined();
    expect(phoneError('+1234567')).toBeUndefined();
  });
  it('refuses numbers without a country code, too short or too long', () => {
    expect(phoneError('')).toMatch(/country code/);
    expect(phoneError('07700900123')).toBeTruthy();
    expect(phoneError('+123456')).toBeTruthy();
    expect(phoneError('+1234567890123456')).toBeTruthy();
    expect(phoneError('+0447700900123')).toBeTruthy();
    expect(phoneError('+44abc')).toBeTruthy();
  });
});

describe('the request', () => {
  it('names the account only when given', () => {
    expect(subjectQuery('+44 7700 900123', ' ')).toEqual({ phone: '+447700900123' });
    expect(subjectQuery('+447700900123', ' 12 ')).toEqual({ phone: '+447700900123', account_id: '12' });
  });
  it('checks the account id', () => {
    expect(accountIdError('')).toBeUndefined();
    expect(accountIdError('12')).toBeUndefined();
    expect(accountIdError('x1')).toBeTruthy();
    expect(accountIdError('0')).toBeTruthy();
  });
  it('names the export file after the number and the day', () => {
    expect(exportName('+44 7700 900123', new Date('2026-12-08T10:00:00Z'))).toBe('privacy-export-447700900123-2026-12-08.json');
  });
});

describe('eraseSummary', () => {
  it('lists the tables changed and the token', () => {
    const s = eraseSummary({ request_id: '3', subject: 'h', token: '447*3f9c', rows: { messages: 2, mo_messages: 1, contacts: 0 }, cancelled: 1, total: 3 });
    expect(s).toBe('3 records erased or redacted (messages 2, mo messages 1); 1 scheduled message cancelled. The number now shows as 447*3f9c.');
  });
  it('says when nothing was left', () => {
    expect(eraseSummary({ request_id: '4', subject: 'h', token: 't', rows: { messages: 0 }, cancelled: 0, total: 0 })).toMatch(/Nothing/);
  });
});
