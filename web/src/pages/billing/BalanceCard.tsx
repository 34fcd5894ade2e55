import { Grid, Paper, Stack, Typography } from '@mui/material';
import type { Schemas } from '../../api/client';
import { formatMoney } from '../../lib/format';

type Balance = Schemas['Balance'];

function Figure({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, height: '100%' }}>
      <Stack spacing={0.5}>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5" component="p" aria-label={`${label}: ${value}`}>
          {value}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {hint}
        </Typography>
      </Stack>
    </Paper>
  );
}

/** BalanceCard shows what the account may still spend, its balance, the credit held and its credit limit. */
export function BalanceCard({ balance: b }: { balance: Balance }) {
  const cur = b.currency;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 6, md: 3 }}>
        <Figure label="Available" value={formatMoney(b.available, cur)} hint="What new messages may still spend" />
      </Grid>
      <Grid size={{ xs: 12, sm: 6, md: 3 }}>
        <Figure label="Balance" value={formatMoney(b.balance, cur)} hint="Top-ups less charges so far" />
      </Grid>
      <Grid size={{ xs: 12, sm: 6, md: 3 }}>
        <Figure label="Held" value={formatMoney(b.held, cur)} hint="Credit reserved by messages being sent" />
      </Grid>
      <Grid size={{ xs: 12, sm: 6, md: 3 }}>
        <Figure
          label="Credit limit"
          value={b.credit_limit === 0 ? 'none' : formatMoney(-b.credit_limit, cur)}
          hint={b.credit_limit === 0 ? 'Prepaid: the balance cannot go below zero' : 'How far below zero the balance may go'}
        />
      </Grid>
    </Grid>
  );
}
