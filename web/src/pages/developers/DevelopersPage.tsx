import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { Box, CircularProgress, Tab, Tabs } from '@mui/material';
import { PageHeader } from '../../components/PageHeader';
import { ApiKeysTab } from './ApiKeysTab';
import { NumbersTab } from './NumbersTab';
import { SmppTab } from './SmppTab';
import { WebhooksTab } from './WebhooksTab';

// The reference parses the whole OpenAPI document: its own chunk, loaded when opened.
const ReferenceTab = lazy(() => import('./ReferenceTab'));

const tabs = [
  { path: 'keys', label: 'API keys' },
  { path: 'smpp', label: 'SMPP credentials' },
  { path: 'webhooks', label: 'Webhooks' },
  { path: 'numbers', label: 'Numbers' },
  { path: 'reference', label: 'API reference' },
] as const;

/** DevelopersPage gathers what an integration needs: keys, SMPP credentials, webhooks, numbers and the API reference. */
export default function DevelopersPage() {
  const sub = (useParams()['*'] ?? '').split('/')[0];
  const current = tabs.find((t) => t.path === sub)?.path ?? 'keys';
  return (
    <>
      <PageHeader title="Developers" subtitle="Connect your software to the gateway" />
      <Box sx={{ borderBottom: 1, borderColor: 'divider', mb: 3 }}>
        <Tabs value={current} variant="scrollable" scrollButtons="auto" allowScrollButtonsMobile aria-label="Developer settings">
          {tabs.map((t) => (
            <Tab key={t.path} id={`dev-tab-${t.path}`} aria-controls="dev-panel" value={t.path} label={t.label} component={Link} to={`/developers/${t.path}`} />
          ))}
        </Tabs>
      </Box>
      <Box role="tabpanel" id="dev-panel" aria-labelledby={`dev-tab-${current}`}>
      {current === 'keys' && <ApiKeysTab />}
      {current === 'smpp' && <SmppTab />}
      {current === 'webhooks' && <WebhooksTab />}
      {current === 'numbers' && <NumbersTab />}
      {current === 'reference' && (
        <Suspense fallback={<CircularProgress aria-label="Loading the API reference" />}>
          <ReferenceTab />
        </Suspense>
      )}
      </Box>
    </>
  );
}
