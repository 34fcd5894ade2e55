import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import DashboardIcon from '@mui/icons-material/SpaceDashboardOutlined';
import ListAltIcon from '@mui/icons-material/ListAltOutlined';
import SendIcon from '@mui/icons-material/SendOutlined';
import InboxIcon from '@mui/icons-material/InboxOutlined';
import CampaignIcon from '@mui/icons-material/CampaignOutlined';
import ContactsIcon from '@mui/icons-material/ContactsOutlined';
import GroupsIcon from '@mui/icons-material/GroupsOutlined';
import DescriptionIcon from '@mui/icons-material/DescriptionOutlined';
import BlockIcon from '@mui/icons-material/BlockOutlined';
import CodeIcon from '@mui/icons-material/CodeOutlined';
import ReceiptLongIcon from '@mui/icons-material/ReceiptLongOutlined';
import GroupIcon from '@mui/icons-material/GroupOutlined';
import StorefrontIcon from '@mui/icons-material/StorefrontOutlined';
import RouterIcon from '@mui/icons-material/RouterOutlined';
import PrivacyIcon from '@mui/icons-material/PrivacyTipOutlined';
import type { Me } from './auth/AuthProvider';

/** Area is one page of the console: its route, its place in the navigation, who sees it. */
export interface Area {
  /** Route path under the app root, without a leading slash ("" is the overview). */
  path: string;
  label: string;
  icon: ComponentType;
  /** The page, loaded when first visited (each page is its own chunk). */
  page: LazyExoticComponent<ComponentType>;
  /** Who sees it; absent: every signed-in user. */
  visible?: (me: Me) => boolean;
}

const isOperator = (me: Me) => me.role === 'admin';
/** isReseller: resellers, and platform admins (who act as the resellers' reseller). */
const isReseller = (me: Me) => me.role === 'reseller' || me.role === 'admin';
/** canPrivacy: data-subject requests need the admin scope (owners, resellers, platform admins). */
const canPrivacy = (me: Me) => me.scopes.includes('admin');

/**
 * areas lists the console's pages in navigation order. Each page lives in
 * src/pages/<area>/ and is code-split; a page exists only once its API does.
 */
export const areas: Area[] = [
  { path: '', label: 'Overview', icon: DashboardIcon, page: lazy(() => import('./pages/overview/OverviewPage')) },
  { path: 'send', label: 'Send', icon: SendIcon, page: lazy(() => import('./pages/send/SendPage')), visible: (me) => me.can_send },
  { path: 'messages', label: 'Messages', icon: ListAltIcon, page: lazy(() => import('./pages/messages/MessagesPage')) },
  { path: 'inbox', label: 'Inbox', icon: InboxIcon, page: lazy(() => import('./pages/inbox/InboxPage')) },
  { path: 'contacts', label: 'Contacts', icon: ContactsIcon, page: lazy(() => import('./pages/contacts/ContactsPage')) },
  { path: 'lists', label: 'Lists and segments', icon: GroupsIcon, page: lazy(() => import('./pages/lists/ListsPage')) },
  { path: 'templates', label: 'Templates', icon: DescriptionIcon, page: lazy(() => import('./pages/templates/TemplatesPage')) },
  { path: 'campaigns', label: 'Campaigns', icon: CampaignIcon, page: lazy(() => import('./pages/campaigns/CampaignsPage')) },
  { path: 'opt-outs', label: 'Opt-outs', icon: BlockIcon, page: lazy(() => import('./pages/optouts/OptOutsPage')) },
  { path: 'developers', label: 'Developers', icon: CodeIcon, page: lazy(() => import('./pages/developers/DevelopersPage')) },
  { path: 'billing', label: 'Billing', icon: ReceiptLongIcon, page: lazy(() => import('./pages/billing/BillingPage')) },
  { path: 'privacy', label: 'Privacy', icon: PrivacyIcon, page: lazy(() => import('./pages/privacy/PrivacyPage')), visible: canPrivacy },
  { path: 'team', label: 'Team', icon: GroupIcon, page: lazy(() => import('./pages/team/TeamPage')) },
  { path: 'reseller', label: 'Reseller', icon: StorefrontIcon, page: lazy(() => import('./pages/reseller/ResellerPage')), visible: isReseller },
  { path: 'operator', label: 'Operator', icon: RouterIcon, page: lazy(() => import('./pages/operator/OperatorPage')), visible: isOperator },
];

export { canPrivacy, isOperator, isReseller };
