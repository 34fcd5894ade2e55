import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Box, Button, Stack, Tab, Tabs } from '@mui/material';
import { useAuth } from '../../auth/AuthProvider';
import { PageHeader } from '../../components/PageHeader';
import { AccountsGrid } from '../reseller/AccountsGrid';
import { CreateAccountDialog } from '../reseller/CreateAccountDialog';
import { TopUpRequestsSection } from '../reseller/TopUpRequestsSection';
import { AuditSection } from './AuditSection';
import { BuyRatesSection } from './BuyRatesSection';
import { CarriersSection } from './CarriersSection';
import { RoutesSection } from './RoutesSection';

const tabs = ['carriers', 'routes', 'buy-rates', 'accounts', 'audit'] as const;
type TabName = (typeof tabs)[number];

/** OperatorPage is the platform operator's console: carriers (configured and live), routes, buy rates, every account and the audit log. */
export default function OperatorPage() {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab: TabName = tabs.includes(params.get('tab') as TabName) ? (params.get('tab') as TabName) : 'carriers';
  const auditOf = params.get('account') ?? '';
  const [creating, setCreating] = useState(false);
  const go = (t: TabName, extra: Record<string, string> = {}) => setParams({ tab: t, ...extra }, { replace: true });
  if (!me) return null;
  return (
    <>
      <PageHeader
        title="Operator"
        subtitle="Carriers, routes, buy rates, accounts and the audit log of the platform"
        actions={
          tab === 'accounts' ? (
            <Button variant="contained" onClick={() => setCreating(true)}>
              New account
            </Button>
          ) : undefined
        }
      />
      <Tabs value={tab} onChange={(_e, v: TabName) => go(v)} aria-label="Operator sections" sx={{ mb: 2 }} variant="scrollable" allowScrollButtonsMobile>
        <Tab value="carriers" label="Carriers" id="tab-carriers" aria-controls="panel-carriers" />
        <Tab value="routes" label="Routes" id="tab-routes" aria-controls="panel-routes" />
        <Tab value="buy-rates" label="Buy rates" id="tab-buy-rates" aria-controls="panel-buy-rates" />
        <Tab value="accounts" label="Accounts" id="tab-accounts" aria-controls="panel-accounts" />
        <Tab value="audit" label="Audit log" id="tab-audit" aria-controls="panel-audit" />
      </Tabs>
      <Box role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'carriers' && <CarriersSection />}
        {tab === 'routes' && <RoutesSection />}
        {tab === 'buy-rates' && <BuyRatesSection />}
        {tab === 'accounts' && (
          <Stack spacing={3}>
            <TopUpRequestsSection admin />
            <AccountsGrid me={me} onAudit={(a) => go('audit', { account: a.id })} emptyHint="Create an account with New account." />
          </Stack>
        )}
        {tab === 'audit' && <AuditSection accountId={auditOf} onAccount={(id) => go('audit', id ? { account: id } : {})} />}
      </Box>
      <CreateAccountDialog open={creating} admin onClose={() => setCreating(false)} />
    </>
  );
}
