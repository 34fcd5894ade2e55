import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Paper, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { BuyRateDialog, buyRatesKey } from './BuyRateDialog';
import { useCarriers } from './StoredCarriers';

type BuyRate = Schemas['BuyRate'];

/** BuyRatesSection lists the carriers' buy rates (current and scheduled), adds and deletes them. */
export function BuyRatesSection() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: buyRatesKey, queryFn: async () => unwrap(await api.GET('/v1/buy-rates')) });
  const carriers = useCarriers();
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<BuyRate | null>(null);
  const del = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/v1/buy-rates/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: buyRatesKey });
      void qc.invalidateQueries({ queryKey: ['operator', 'routes'] });
    },
  });
  const rates = q.data?.buy_rates ?? [];
  return (
    <section aria-labelledby="buy-rates">
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
        <Typography id="buy-rates" variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          Buy rates
        </Typography>
        <Button variant="contained" onClick={() => setAdding(true)} disabled={!carriers.data}>
          New buy rate
        </Button>
      </Stack>
      <ProblemAlert error={q.error ?? carriers.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={80} />}
      {q.data && rates.length === 0 && (
        <EmptyState title="No buy rates">Record what each carrier charges per segment: least-cost routes and the margin report use it.</EmptyState>
      )}
      {rates.length > 0 && (
        <Paper variant="outlined" sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Buy rates">
            <TableHead>
              <TableRow>
                <TableCell>Carrier</TableCell>
                <TableCell>Prefix</TableCell>
                <TableCell align="right">Price per segment</TableCell>
                <TableCell>From</TableCell>
                <TableCell>Until</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rates.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>{r.carrier}</TableCell>
                  <TableCell>+{r.prefix}</TableCell>
                  <TableCell align="right">{formatMoney(r.price_micros, r.currency, 4)}</TableCell>
                  <TableCell>{formatTime(r.valid_from)}</TableCell>
                  <TableCell>{r.valid_to ? formatTime(r.valid_to) : 'until replaced'}</TableCell>
                  <TableCell>
                    <Button size="small" color="error" onClick={() => setDeleting(r)} aria-label={`Delete the rate of ${r.carrier} to +${r.prefix} from ${formatTime(r.valid_from)}`}>
                      Delete
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Paper>
      )}
      <BuyRateDialog open={adding} carriers={carriers.data?.carriers.map((c) => c.name) ?? []} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the rate of ${deleting?.carrier} to +${deleting?.prefix}?`}
        confirm="Delete"
        busy={del.isPending}
        onConfirm={() => deleting && del.mutate(deleting.id)}
        onClose={() => {
          setDeleting(null);
          del.reset();
        }}
      >
        <ProblemAlert error={del.error} />
        The previous rate of this carrier and prefix, if any, holds again; without one, the margin report shows its cost as unknown.
      </ConfirmDialog>
    </section>
  );
}
