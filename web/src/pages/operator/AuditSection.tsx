import { useState } from 'react';
import { Stack, TextField, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from '../../lib/format';

type Entry = Schemas['AccountsAuditItem'];

const columns: GridColDef<Entry>[] = [
  { field: 'at', headerName: 'When', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'account_id', headerName: 'Account', width: 90 },
  { field: 'action', headerName: 'Action', width: 170 },
  { field: 'target', headerName: 'Target', width: 130 },
  { field: 'actor_user_id', headerName: 'By user', width: 90 },
  { field: 'ip', headerName: 'From', width: 130 },
  { field: 'details', headerName: 'Details', flex: 1, minWidth: 160 },
];

/** fetchAudit reads a page of one account's audit log, or of every account's when accountId is "". */
async function fetchAudit(accountId: string, before: string | undefined, limit: number) {
  const page = accountId
    ? unwrap(await api.GET('/v1/accounts/{id}/audit', { params: { path: { id: accountId }, query: { before, limit } } }))
    : unwrap(await api.GET('/v1/operator/audit', { params: { query: { before, limit } } }));
  return { items: page.items, next_cursor: page.next_before };
}

/** AuditSection reads the audit log, newest first, page by page: the whole platform's or one account's. */
export function AuditSection({ accountId, onAccount }: { accountId: string; onAccount: (id: string) => void }) {
  const [draft, setDraft] = useState(accountId);
  return (
    <>
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'flex-start' }}>
        <TextField
          size="small"
          label="Account id"
          value={draft}
          onChange={(e) => {
            const v = e.target.value.trim();
            setDraft(v);
            if (v === '' || /^[0-9]+$/.test(v)) onAccount(v);
          }}
          error={draft !== '' && !/^[0-9]+$/.test(draft)}
          helperText={draft !== '' && !/^[0-9]+$/.test(draft) ? 'An account id is a number' : 'Empty: every account'}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
      </Stack>
      <CursorGrid<Entry>
        label={accountId ? `Audit log of account ${accountId}` : 'Audit log of the platform'}
        queryKey={['audit', accountId]}
        fetchPage={(cursor, limit) => fetchAudit(accountId, cursor, limit)}
        columns={columns}
        refetchInterval={5_000}
        renderCard={(e) => (
          <Stack spacing={0.25}>
            <Typography variant="subtitle2">{e.action}</Typography>
            <Typography variant="body2" color="text.secondary">
              {formatTime(e.at)} · account {e.account_id} {e.target ? `· ${e.target}` : ''} {e.ip ? `· ${e.ip}` : ''}
            </Typography>
            {e.details && <Typography variant="body2">{e.details}</Typography>}
          </Stack>
        )}
        empty={<EmptyState title="Nothing audited yet">Account changes, top-ups, logins and key changes appear here.</EmptyState>}
      />
    </>
  );
}
