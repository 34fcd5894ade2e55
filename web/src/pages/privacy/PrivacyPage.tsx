import { useState } from 'react';
import { Stack, TextField, Typography } from '@mui/material';
import { useAuth } from '../../auth/AuthProvider';
import { PageHeader } from '../../components/PageHeader';
import { RequestsGrid } from './RequestsGrid';
import { SubjectForm } from './SubjectForm';
import { accountIdError } from './privacy';

/**
 * PrivacyPage handles data-subject requests about a phone number: export
 * everything held about it, erase it, and the requests made. For whoever
 * the API lets make them: owners, resellers and platform admins.
 */
export default function PrivacyPage() {
  const { me } = useAuth();
  const [filter, setFilter] = useState('');
  if (!me) return null;
  const platform = me.role === 'admin';
  const pickAccount = platform || me.role === 'reseller';
  const filterErr = accountIdError(filter);
  return (
    <>
      <PageHeader title="Privacy" subtitle="Data-subject requests: export or erase what is held about a phone number" />
      <Stack spacing={3}>
        <SubjectForm pickAccount={pickAccount} platform={platform} />
        <section aria-labelledby="requests-title">
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 1, alignItems: { sm: 'center' } }}>
            <Typography id="requests-title" variant="h6" component="h2" sx={{ flexGrow: 1 }}>
              Requests made
            </Typography>
            {pickAccount && (
              <TextField size="small" label="Requests of account" value={filter} onChange={(e) => setFilter(e.target.value.trim())}
                error={!!filterErr} helperText={filterErr || (platform ? 'Empty: every account' : 'Empty: yours and your sub-accounts')}
                slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            )}
          </Stack>
          <RequestsGrid accountId={filterErr ? '' : filter} />
        </section>
      </Stack>
    </>
  );
}
