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
  { field: 'action', headerName: 'Action', width: 170 },
  { field: 'target', headerName: 'Target', width: 130 },
  { field: 'actor_user_id', headerName: 'By user', width: 90 },
  { field: 'ip', headerName: 'From', width: 130 },
  { field: 'details', headerName: 'Details', flex: 1, minWidth: 160 },
];

/** AuditSection reads one account's audit log, newest first, page by page. */
export function AuditSection({ accountId, onAccount }: { accountId: string; onAccount: (id: string) => void }) {
  const [draft, setDraft] = useState(accountId);
  const valid = /^[0-9]+$/.test(accountId);
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
          helperText={draft !== '' && !/^[0-9]+$/.test(draft) ? 'An account id is a number' : 'Or pick Audit on an account in Accounts'}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
      </Stack>
      {!valid ? (
        <EmptyState title="Choose an account">Enter an account id, or use Audit on an account in the Accounts tab, to read its log.</EmptyState>
      ) : (
        <CursorGrid<Entry>
          label={`Audit log of account ${accountId}`}
          queryKey={['audit', accountId]}
          fetchPage={async (cursor, limit) => {
            const page = unwrap(await api.GET('/v1/accounts/{id}/audit', { params: { path: { id: accountId }, query: { before: cursor, limit } } }));
            return { items: page.items, next_cursor: page.next_before };
          }}
          columns={columns}
          refetchInterval={5_000}
          renderCard={(e) => (
            <Stack spacing={0.25}>
              <Typography variant="subtitle2">{e.action}</Typography>
              <Typography variant="body2" color="text.secondary">
                {formatTime(e.at)} · {e.target ?? ''} {e.ip ? `· ${e.ip}` : ''}
              </Typography>
              {e.details && <Typography variant="body2">{e.details}</Typography>}
            </Stack>
          )}
          empty={<EmptyState title="Nothing audited yet">Changes to this account, its logins and its keys appear here.</EmptyState>}
        />
      )}
    </>
  );
}
