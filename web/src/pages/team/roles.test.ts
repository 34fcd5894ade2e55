import { describe, expect, it } from 'vitest';
import { emailProblem, passwordProblem } from '../auth/validate';
import { assignableRoles, canActOn, canManageTeam } from './roles';

describe('team roles', () => {
  it('lets owners and above with the admin scope manage', () => {
    expect(canManageTeam({ role: 'owner', scopes: ['send', 'read', 'admin'] })).toBe(true);
    expect(canManageTeam({ role: 'member', scopes: ['send', 'read', 'admin'] })).toBe(false);
    expect(canManageTeam({ role: 'owner', scopes: ['read'] })).toBe(false);
  });
  it('offers no role above the caller and fits the account kind', () => {
    expect(assignableRoles('owner')).toEqual(['member', 'owner']);
    expect(assignableRoles('reseller')).toEqual(['member', 'owner', 'reseller']);
    expect(assignableRoles('admin')).toEqual(['member', 'owner', 'admin']);
    expect(assignableRoles('member')).toEqual(['member']);
  });
  it('never acts on itself nor on a higher role', () => {
    expect(canActOn('owner', '7', { id: '8', role: 'member' })).toBe(true);
    expect(canActOn('owner', '7', { id: '7', role: 'owner' })).toBe(false);
    expect(canActOn('owner', '7', { id: '9', role: 'admin' })).toBe(false);
  });
  it('checks passwords by bytes and emails by shape', () => {
    expect(passwordProblem('short')).toBeDefined();
    expect(passwordProblem('long enough')).toBeUndefined();
    expect(passwordProblem('é'.repeat(129))).toBe('at most 256 bytes');
    expect(emailProblem('ann@example.com')).toBeUndefined();
    expect(emailProblem('ann')).toBeDefined();
  });
});
