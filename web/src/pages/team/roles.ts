// Who may do what on the Team page, mirroring the API's rules (the API
// enforces them; the page only hides what would be refused).

/** Role is a dashboard user's role. */
export type Role = 'admin' | 'reseller' | 'owner' | 'member';

const rank: Record<Role, number> = { member: 0, owner: 1, reseller: 2, admin: 3 };

/** canManageTeam: owners, resellers and admins with the admin scope manage users. */
export function canManageTeam(me: { role: Role; scopes: string[] }): boolean {
  return me.role !== 'member' && me.scopes.includes('admin');
}

/**
 * assignableRoles are the roles the caller may give on its own account:
 * none above its own; admin only on the platform account (an admin's),
 * reseller only on a reseller's account.
 */
export function assignableRoles(myRole: Role): Role[] {
  const out: Role[] = ['member', 'owner'];
  if (myRole === 'reseller') out.push('reseller');
  if (myRole === 'admin') out.push('admin');
  return out.filter((r) => rank[r] <= rank[myRole]);
}

/** canActOn: nobody acts on a user whose role ranks above its own, nor on itself. */
export function canActOn(myRole: Role, myUserId: string | undefined, target: { id: string; role: Role }): boolean {
  return target.id !== myUserId && rank[target.role] <= rank[myRole];
}
