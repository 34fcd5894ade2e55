import { Stack, Typography } from '@mui/material';
import type { GridColDef } from '@mui/x-data-grid';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from '../../lib/format';
import { privacyRequestsKey } from './EraseDialog';

type Request = Schemas['PrivacyRequest'];

/** by says who made a request: a user, an API key, from which account. */
function by(r: Request): string {
  const who = r.actor_user_id ? `user ${r.actor_user_id}` : r.actor_key_id ? `key ${r.actor_key_id}` : '';
  return `${who} (account ${r.actor_account_id})`.trim();
}

const columns: GridColDef<Request>[] = [
  { field: 'created_at', headerName: 'When', width: 180, valueFormatter: (v: string) => formatTime(v) },
  { field: 'kind', headerName: 'Request', width: 100 },
  { field: 'account_id', headerName: 'Account', width: 90, valueFormatter: (v: string) => (v === '0' ? 'every' : v) },
  { field: 'subject_kind', headerName: 'About', width: 80 },
  { field: 'subject', headerName: 'Subject (keyed hash)', flex: 1, minWidth: 180 },
  { field: 'rows', headerName: 'Records', width: 90, type: 'number' },
  { field: 'by', headerName: 'By', width: 200, sortable: false, valueGetter: (_v, r) => by(r) },
];

/** fetchRequests reads a page of the requests (one account's, or the caller's scope when accountId is ""). */
async function fetchRequests(accountId: string, before: string | undefined, limit: number) {
  const page = unwrap(await api.GET('/v1/privacy/requests', { params: { query: { account_id: accountId || undefined, before, limit } } }));
  return { items: page.items, next_cursor: page.next_before };
}

/** RequestsGrid lists the data-subject requests made, newest first. Numbers never show: each is its keyed hash. */
export function RequestsGrid({ accountId }: { accountId: string }) {
  return (
    <CursorGrid<Request>
      label="Data-subject requests"
      queryKey={[...privacyRequestsKey, accountId]}
      fetchPage={(cursor, limit) => fetchRequests(accountId, cursor, limit)}
      columns={columns}
      renderCard={(r) => (
        <Stack spacing={0.25}>
          <Typography variant="subtitle2">
            {r.kind} · {r.rows} records
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {formatTime(r.created_at)} · account {r.account_id === '0' ? 'every' : r.account_id} · by {by(r)}
          </Typography>
          <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
            {r.subject}
          </Typography>
        </Stack>
      )}
      empty={<EmptyState title="No requests yet">Exports and erasures appear here, the number shown only as its keyed hash.</EmptyState>}
    />
  );
}
