import { useNavigate } from 'react-router';
import { Box, Button, LinearProgress, Stack, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import type { GridColDef } from '@mui/x-data-grid';
import { Link } from 'react-router';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { CursorGrid } from '../../components/CursorGrid';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { formatCount, formatTime } from '../../lib/format';
import { StateChip } from './StateChip';

type Campaign = Schemas['Campaign'];

function typeOf(c: Campaign): string {
  return c.drip ? 'Drip' : c.ab ? 'A/B test' : 'One message';
}

/**
 * Progress is how far a campaign is: the list has no per-campaign counts
 * (those are on its page), so it shows the state's progress: finished,
 * running or not started.
 */
function Progress({ c }: { c: Campaign }) {
  const running = c.state === 'running' || c.state === 'launching';
  const done = c.state === 'completed' || c.state === 'cancelled';
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', justifyContent: 'center', height: '100%', width: '100%', gap: 0.5 }}>
      {(running || done) && (
        <LinearProgress
          aria-label={`${c.name}: ${c.state}`}
          variant={running ? 'indeterminate' : 'determinate'}
          value={100}
          color={c.state === 'cancelled' ? 'inherit' : c.state === 'completed' ? 'success' : 'primary'}
        />
      )}
      <Typography variant="caption">{c.state === 'draft' ? 'Not launched' : `${formatCount(c.targeted)} targeted`}</Typography>
    </Box>
  );
}

const columns: GridColDef<Campaign>[] = [
  { field: 'name', headerName: 'Name', flex: 1, minWidth: 180 },
  { field: 'state', headerName: 'State', width: 120, renderCell: (p) => <StateChip state={p.row.state} /> },
  { field: 'kind', headerName: 'Type', width: 120, valueGetter: (_v, row) => typeOf(row) },
  { field: 'targeted', headerName: 'Progress', width: 180, renderCell: (p) => <Progress c={p.row} /> },
  { field: 'send_at', headerName: 'Starts', width: 180, valueGetter: (_v, row) => row.send_at ?? row.launched_at, valueFormatter: (v: string) => formatTime(v) },
  { field: 'created_at', headerName: 'Created', width: 180, valueFormatter: (v: string) => formatTime(v) },
];

/** CampaignList lists the account's campaigns, newest first. */
export function CampaignList() {
  const navigate = useNavigate();
  const create = (
    <Button variant="contained" startIcon={<AddIcon />} component={Link} to="/campaigns/new">
      New campaign
    </Button>
  );
  return (
    <>
      <PageHeader title="Campaigns" subtitle="Bulk, A/B and drip campaigns with their live statistics" actions={create} />
      <CursorGrid<Campaign>
        label="Campaigns"
        queryKey={['campaigns']}
        fetchPage={async (cursor, limit) => {
          const r = unwrap(await api.GET('/v1/campaigns', { params: { query: { cursor, limit } } }));
          return { items: r.data, next_cursor: r.next_cursor };
        }}
        columns={columns}
        onRowClick={(c) => navigate(`/campaigns/${c.id}`)}
        refetchInterval={5_000}
        renderCard={(c) => (
          <Stack spacing={0.5}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <StateChip state={c.state} />
              <Typography variant="body2" sx={{ fontWeight: 500 }}>
                {c.name}
              </Typography>
            </Stack>
            <Typography variant="body2" color="text.secondary">
              {typeOf(c)} · {formatCount(c.targeted)} targeted
            </Typography>
            <Typography variant="caption">{formatTime(c.created_at)}</Typography>
          </Stack>
        )}
        empty={
          <EmptyState title="No campaigns yet" action={create}>
            Create a campaign to send one message, an A/B test or a drip sequence to your lists, segments or numbers.
          </EmptyState>
        }
      />
    </>
  );
}
