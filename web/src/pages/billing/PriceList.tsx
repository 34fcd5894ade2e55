import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Box, Button, MenuItem, Paper, Stack, Table, TableBody, TableCell, TableHead, TablePagination, TableRow, TextField, Typography } from '@mui/material';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert, fieldError } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';

/** PriceList shows the account's price plans (per destination prefix) and quotes a number's price. */
export function PriceList() {
  const plans = useQuery({ queryKey: ['plans'], queryFn: async () => unwrap(await api.GET('/v1/plans')).items });
  const [planId, setPlanId] = useState('');
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(25);
  const [filter, setFilter] = useState('');
  const [to, setTo] = useState('');
  const quote = useMutation({
    mutationFn: async (number: string) => unwrap(await api.GET('/v1/pricing', { params: { query: { to: number } } })),
  });
  const list = plans.data ?? [];
  const plan = list.find((p) => p.id === planId) ?? list[0];
  const prices = (plan?.prices ?? []).filter((p) => p.prefix.startsWith(filter.replace(/\D/g, '')));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (to.trim()) quote.mutate(to.trim());
  };

  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack spacing={2}>
        <Typography variant="h6" component="h2">
          Prices
        </Typography>
        <Box component="form" onSubmit={submit} noValidate>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
            <TextField
              size="small"
              label="Price for a number"
              placeholder="+447700900123"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              error={!!fieldError(quote.error, 'to')}
              helperText={fieldError(quote.error, 'to') || 'In international format'}
            />
            <Button type="submit" variant="outlined" disabled={quote.isPending || !to.trim()}>
              Get price
            </Button>
          </Stack>
        </Box>
        {quote.error && !fieldError(quote.error, 'to') && <ProblemAlert error={quote.error} />}
        {quote.data && (
          <Alert severity="info" role="status">
            One segment to {quote.data.to} costs {formatMoney(quote.data.per_segment, quote.data.currency, 4)}.
          </Alert>
        )}
        <ProblemAlert error={plans.error} />
        {plans.isSuccess && list.length === 0 && (
          <Typography color="text.secondary">
            No price plan is in force for the account, so no destination is priced yet. Use the price
            check above for a destination.
          </Typography>
        )}
        {plan && (
          <>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              {list.length > 1 && (
                <TextField select size="small" label="Plan" value={plan.id} onChange={(e) => (setPlanId(e.target.value), setPage(0))} sx={{ minWidth: 200 }}>
                  {list.map((p) => (
                    <MenuItem key={p.id} value={p.id}>
                      {p.name}
                    </MenuItem>
                  ))}
                </TextField>
              )}
              <TextField size="small" label="Prefix starts with" value={filter} onChange={(e) => (setFilter(e.target.value), setPage(0))} />
            </Stack>
            <Typography variant="body2" color="text.secondary">
              {plan.name} · {plan.currency} · from {formatTime(plan.valid_from)}
              {plan.valid_to ? ` to ${formatTime(plan.valid_to)}` : ''} · per segment, longest matching prefix
            </Typography>
            <Box sx={{ overflowX: 'auto' }}>
              <Table size="small" aria-label={`Prices of ${plan.name}`}>
                <TableHead>
                  <TableRow>
                    <TableCell>Prefix</TableCell>
                    <TableCell align="right">Per segment</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {prices.slice(page * perPage, page * perPage + perPage).map((p) => (
                    <TableRow key={p.prefix}>
                      <TableCell>+{p.prefix}</TableCell>
                      <TableCell align="right" sx={{ fontVariantNumeric: 'tabular-nums' }}>
                        {formatMoney(p.price_micros, plan.currency, 4)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
            <TablePagination
              component="div"
              count={prices.length}
              page={page}
              onPageChange={(_, p) => setPage(p)}
              rowsPerPage={perPage}
              onRowsPerPageChange={(e) => (setPerPage(Number(e.target.value)), setPage(0))}
              rowsPerPageOptions={[25, 100]}
            />
          </>
        )}
      </Stack>
    </Paper>
  );
}
