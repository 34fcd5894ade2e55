import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/DownloadOutlined';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert';
import { saveBlob } from '../../lib/download';
import { EraseDialog, privacyRequestsKey } from './EraseDialog';
import { accountIdError, type EraseResult, eraseSummary, exportName, phoneError, subjectQuery } from './privacy';

/**
 * SubjectForm takes a phone number (and, for a platform admin or a
 * reseller, the account) and exports everything held about it as a JSON
 * file, or erases it after a confirmation.
 */
export function SubjectForm({ pickAccount, platform }: { pickAccount: boolean; platform: boolean }) {
  const qc = useQueryClient();
  const [phone, setPhone] = useState('');
  const [accountId, setAccountId] = useState('');
  const [touched, setTouched] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [erased, setErased] = useState<EraseResult | null>(null);
  const exp = useMutation({
    mutationFn: async () => {
      const blob = unwrap(await api.GET('/v1/privacy/export', { params: { query: subjectQuery(phone, accountId) }, parseAs: 'blob' })) as Blob;
      saveBlob(blob, exportName(phone));
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: privacyRequestsKey }),
  });
  const phoneErr = (touched && phoneError(phone)) || fieldError(exp.error, 'phone');
  const accountErr = (touched && accountIdError(accountId)) || fieldError(exp.error, 'account_id');
  const ok = () => {
    setTouched(true);
    setErased(null);
    return !phoneError(phone) && !accountIdError(accountId);
  };
  const scope = accountId.trim() ? `account ${accountId.trim()}` : platform ? 'every account' : 'your account';
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="subject-title">
      <Typography id="subject-title" variant="h6" component="h2" sx={{ mb: 2 }}>
        A phone number
      </Typography>
      <ProblemAlert error={exp.error} />
      {erased && (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setErased(null)}>
          {eraseSummary(erased)}
        </Alert>
      )}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: { md: 'flex-start' } }}>
        <TextField label="Phone number" placeholder="+447700900123" value={phone} onChange={(e) => setPhone(e.target.value)}
          error={!!phoneErr} helperText={phoneErr || 'With its country code'} slotProps={{ htmlInput: { inputMode: 'tel' } }} />
        {pickAccount && (
          <TextField label="Account id" value={accountId} onChange={(e) => setAccountId(e.target.value)} error={!!accountErr}
            helperText={accountErr || (platform ? 'Empty: every account' : 'Empty: your account; or a sub-account')}
            slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
        )}
        <Button variant="outlined" startIcon={<DownloadIcon />} loading={exp.isPending} sx={{ mt: { md: 1 } }}
          onClick={() => ok() && exp.mutate()}>
          Export
        </Button>
        <Button variant="contained" color="error" sx={{ mt: { md: 1 } }} onClick={() => ok() && setErasing(true)}>
          Erase
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
        Export downloads everything held about the number in {scope} as JSON: messages to and from it, contacts, campaign
        recipients, opt-outs and audit entries. Both are recorded below, under the number's keyed hash.
      </Typography>
      <EraseDialog open={erasing} phone={phone} accountId={accountId} platform={platform}
        onDone={(r) => {
          setErasing(false);
          setErased(r);
        }}
        onClose={() => setErasing(false)} />
    </Paper>
  );
}
