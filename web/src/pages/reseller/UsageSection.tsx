import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Paper, Skeleton, Stack, Table, TableBody, TableCell, TableFooter, TableHead, TableRow, TextField, Typography, useMediaQuery, useTheme,
} from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatMoney } from '../../lib/format';
import { defaultPeriod, periodError } from './forms';

type Row = Schemas['ReportsSubAccountUsage'];

/** margin shows a row's margin, or why it is unknown. */
function margin(r: Row, cur: string): string {
  if (r.margin === null) return `unknown (${formatCount(r.unpriced_messages)} unpriced)`;
  return formatMoney(r.margin, cur);
}

/**
 * UsageSection shows the traffic of the caller's sub-accounts over a
 * period: what they paid, what it cost the caller at its own prices and
 * the margin.
 */
export function UsageSection({ accountId }: { accountId: string }) {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const [period, setPeriod] = useState(defaultPeriod);
  const bad = periodError(period.from, period.until);
  const q = useQuery({
    queryKey: ['sub-accounts-usage', accountId, period],
    queryFn: async () =>
      unwrap(await api.GET('/v1/accounts/{id}/sub-accounts/usage', { params: { path: { id: accountId }, query: period } })),
    enabled: !bad,
    refetchInterval: 10_000,
  });
  const rep = q.data;
  const cur = rep?.currency ?? 'EUR';
  const rows = rep?.sub_accounts ?? [];
  return (
    <>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2 }}>
        <TextField type="date" label="From" size="small" value={period.from} onChange={(e) => setPeriod((p) => ({ ...p, from: e.target.value }))}
          slotProps={{ inputLabel: { shrink: true } }} error={!!bad} helperText={bad} />
        <TextField type="date" label="Until (not included)" size="small" value={period.until}
          onChange={(e) => setPeriod((p) => ({ ...p, until: e.target.value }))} slotProps={{ inputLabel: { shrink: true } }} />
      </Stack>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={120} />}
      {rep && rows.length === 0 && (
        <EmptyState title="No sub-account traffic in this period">
          Create a sub-account and top it up; its messages show here with what they earned you.
        </EmptyState>
      )}
      {rep && rows.length > 0 && narrow && (
        <Stack spacing={1} role="list" aria-label="Usage per sub-account">
          {[...rows, { ...rep.total, name: 'Total' }].map((r, i) => (
            <Paper key={i} variant="outlined" role="listitem" sx={{ p: 1.5 }}>
              <Typography variant="subtitle2">{r.name ?? r.account_id}</Typography>
              <Typography variant="body2">
                {formatCount(r.messages)} messages · {formatCount(r.segments)} segments
              </Typography>
              <Typography variant="body2" color="text.secondary">
                Paid {formatMoney(r.charged, cur)} · cost {formatMoney(r.cost, cur)} · margin {margin(r, cur)}
              </Typography>
            </Paper>
          ))}
        </Stack>
      )}
      {rep && rows.length > 0 && !narrow && (
        <Paper variant="outlined">
          <Table size="small" aria-label="Usage per sub-account">
            <TableHead>
              <TableRow>
                <TableCell>Sub-account</TableCell>
                <TableCell align="right">Messages</TableCell>
                <TableCell align="right">Segments</TableCell>
                <TableCell align="right">Paid</TableCell>
                <TableCell align="right">Your cost</TableCell>
                <TableCell align="right">Margin</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((r) => (
                <TableRow key={r.account_id}>
                  <TableCell>{r.name ?? r.account_id}</TableCell>
                  <TableCell align="right">{formatCount(r.messages)}</TableCell>
                  <TableCell align="right">{formatCount(r.segments)}</TableCell>
                  <TableCell align="right">{formatMoney(r.charged, cur)}</TableCell>
                  <TableCell align="right">{formatMoney(r.cost, cur)}</TableCell>
                  <TableCell align="right">{margin(r, cur)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
            <TableFooter sx={{ '& td': { fontWeight: 600, color: 'text.primary', fontSize: '0.875rem' } }}>
              <TableRow>
                <TableCell>Total</TableCell>
                <TableCell align="right">{formatCount(rep.total.messages)}</TableCell>
                <TableCell align="right">{formatCount(rep.total.segments)}</TableCell>
                <TableCell align="right">{formatMoney(rep.total.charged, cur)}</TableCell>
                <TableCell align="right">{formatMoney(rep.total.cost, cur)}</TableCell>
                <TableCell align="right">{margin(rep.total, cur)}</TableCell>
              </TableRow>
            </TableFooter>
          </Table>
        </Paper>
      )}
    </>
  );
}
