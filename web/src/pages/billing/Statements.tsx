import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Box, Button, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCount, formatMoney } from '../../lib/format';
import { openBlobInTab } from './invoice';
import { monthLabel, recentMonths } from './months';

/** Statements shows one month's statement of the account and opens its printable invoice. */
export function Statements({ accountId: id }: { accountId: string }) {
  const months = recentMonths(new Date(), 24);
  const [month, setMonth] = useState(months[0]);
  const st = useQuery({
    queryKey: ['statement', id, month],
    queryFn: async () => unwrap(await api.GET('/v1/accounts/{id}/statements/{month}', { params: { path: { id, month } } })),
  });
  const invoice = useMutation({
    mutationFn: () =>
      openBlobInTab(async () => {
        const res = await api.GET('/v1/accounts/{id}/statements/{month}/invoice', { params: { path: { id, month } }, parseAs: 'blob' });
        return unwrap(res) as unknown as Blob;
      }),
  });
  const s = st.data;
  const m = (v: number) => formatMoney(v, s?.currency ?? 'EUR');
  const rows: [string, number, boolean?][] = s
    ? [
        ['Opening balance', s.opening_balance, true],
        ['Top-ups', s.topups],
        ['Transfers in', s.transfers_in],
        ['Charges', -s.charges || 0],
        ['Refunds', s.refunds],
        ['Adjustments', s.adjustments],
        ['Transfers out', -s.transfers_out || 0],
        ['Other', s.other],
        ['Closing balance', s.closing_balance, true],
      ]
    : [];
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack spacing={2}>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
            Monthly statement
          </Typography>
          <TextField select size="small" label="Month" value={month} onChange={(e) => setMonth(e.target.value)} sx={{ minWidth: 200 }}>
            {months.map((mo) => (
              <MenuItem key={mo} value={mo}>
                {monthLabel(mo)}
              </MenuItem>
            ))}
          </TextField>
          <Button variant="outlined" startIcon={<OpenInNewIcon />} onClick={() => invoice.mutate()} disabled={invoice.isPending || !s}>
            Printable invoice
          </Button>
        </Stack>
        <ProblemAlert error={st.error || invoice.error} />
        {s && (
          <Box>
            {!s.complete && (
              <Alert severity="info" sx={{ mb: 1 }}>
                The month is in progress: this statement is provisional.
              </Alert>
            )}
            <Table size="small" aria-label={`Statement of ${monthLabel(month)}`}>
              <TableBody>
                {rows.map(([label, v, strong]) => (
                  <TableRow key={label}>
                    <TableCell component="th" scope="row" sx={{ fontWeight: strong ? 600 : undefined }}>
                      {label}
                    </TableCell>
                    <TableCell align="right" sx={{ fontWeight: strong ? 600 : undefined, fontVariantNumeric: 'tabular-nums' }}>
                      {m(v)}
                    </TableCell>
                  </TableRow>
                ))}
                <TableRow>
                  <TableCell component="th" scope="row">
                    Segments sent
                  </TableCell>
                  <TableCell align="right">{formatCount(s.segments)}</TableCell>
                </TableRow>
              </TableBody>
            </Table>
          </Box>
        )}
      </Stack>
    </Paper>
  );
}
