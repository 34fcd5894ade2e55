import type { Me } from '../../auth/AuthProvider';
import { canManageTeam } from '../team/roles';

/**
 * canManage: the caller may change the account's keys, credentials,
 * webhook and users (an owner, reseller or admin with the admin scope).
 * The API enforces it; the pages only hide what it would refuse.
 */
export function canManage(me: Me | null): boolean {
  return !!me && canManageTeam(me);
}
