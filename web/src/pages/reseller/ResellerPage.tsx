import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Box, Button, Stack, Tab, Tabs } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useAuth } from '../../auth/AuthProvider';
import { PageHeader } from '../../components/PageHeader';
import { formatMoney } from '../../lib/format';
import { AccountsGrid } from './AccountsGrid';
import { CreateAccountDialog } from './CreateAccountDialog';
import { PlansSection } from './PlansSection';
import { TopUpRequestsSection } from './TopUpRequestsSection';
import { UsageSection } from './UsageSection';

const tabs = ['accounts', 'plans', 'usage'] as const;
type TabName = (typeof tabs)[number];

/** ResellerPage is a reseller's desk: its sub-accounts, its price plans and its margin. */
export default function ResellerPage() {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab: TabName = tabs.includes(params.get('tab') as TabName) ? (params.get('tab') as TabName) : 'accounts';
  const [creating, setCreating] = useState(false);
  const balance = useQuery({ queryKey: ['balance'], queryFn: async () => unwrap(await api.GET('/v1/balance')), retry: false });
  if (!me) return null;
  const cur = balance.data?.currency ?? 'EUR';
  const subtitle = balance.data
    ? `Your balance ${formatMoney(balance.data.balance, cur)}; available to transfer ${formatMoney(balance.data.available, cur)}`
    : 'Your sub-accounts, their prices and your margin';
  return (
    <>
      <PageHeader
        title="Reseller"
        subtitle={subtitle}
        actions={
          <Button variant="contained" onClick={() => setCreating(true)}>
            New sub-account
          </Button>
        }
      />
      <Tabs value={tab} onChange={(_e, v: TabName) => setParams({ tab: v }, { replace: true })} aria-label="Reseller sections" sx={{ mb: 2 }}
        variant="scrollable" allowScrollButtonsMobile>
        <Tab value="accounts" label="Sub-accounts" id="tab-accounts" aria-controls="panel-accounts" />
        <Tab value="plans" label="Plans" id="tab-plans" aria-controls="panel-plans" />
        <Tab value="usage" label="Usage and margin" id="tab-usage" aria-controls="panel-usage" />
      </Tabs>
      <Box role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'accounts' && (
          <Stack spacing={3}>
            <TopUpRequestsSection admin={me.role === 'admin'} />
            <AccountsGrid me={me} emptyHint="Create a sub-account with New sub-account; give it a plan and an opening credit." />
          </Stack>
        )}
        {tab === 'plans' && <PlansSection currency={cur} />}
        {tab === 'usage' && <UsageSection accountId={me.account_id} />}
      </Box>
      <CreateAccountDialog open={creating} admin={me.role === 'admin'} onClose={() => setCreating(false)} />
    </>
  );
}
