import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, CardContent, Chip, Grid, Skeleton, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { EmptyState } from '../../components/EmptyState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney, formatTime } from '../../lib/format';
import { fetchPlans, type Plan } from './accountsApi';
import { PlanDialog } from './PlanDialog';

/** PlansSection lists the caller's price plans with their prices, and creates new ones. */
export function PlansSection({ currency }: { currency: string }) {
  const [open, setOpen] = useState(false);
  const q = useQuery({ queryKey: ['plans'], queryFn: fetchPlans });
  const plans = q.data ?? [];
  return (
    <>
      <Stack direction="row" sx={{ mb: 2 }}>
        <Button variant="contained" onClick={() => setOpen(true)}>
          New plan
        </Button>
      </Stack>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Skeleton variant="rectangular" height={120} />}
      {!q.isLoading && !q.error && plans.length === 0 && (
        <EmptyState title="No price plans yet">
          Create a plan with your prices per destination, then give it to your sub-accounts. Without one they pay your default prices.
        </EmptyState>
      )}
      <Grid container spacing={2}>
        {plans.map((p) => (
          <Grid key={p.id} size={{ xs: 12, md: 6 }}>
            <PlanCard plan={p} />
          </Grid>
        ))}
      </Grid>
      <PlanDialog open={open} currency={currency} onClose={() => setOpen(false)} />
    </>
  );
}

function PlanCard({ plan }: { plan: Plan }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
            {plan.name}
          </Typography>
          {plan.is_default && <Chip size="small" label="default" color="primary" variant="outlined" />}
          <Chip size="small" label={plan.currency} variant="outlined" />
        </Stack>
        <Typography variant="body2" color="text.secondary">
          From {formatTime(plan.valid_from)}
          {plan.valid_to ? ` until ${formatTime(plan.valid_to)}` : ''}
        </Typography>
        <Table size="small" aria-label={`Prices of ${plan.name}`}>
          <TableHead>
            <TableRow>
              <TableCell>Prefix</TableCell>
              <TableCell align="right">Price per segment</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {plan.prices.map((r) => (
              <TableRow key={r.prefix}>
                <TableCell>+{r.prefix}</TableCell>
                <TableCell align="right">{formatMoney(r.price_micros, plan.currency, 3)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
