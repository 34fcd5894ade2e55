import { LinearProgress, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { formatCount, formatPercent } from '../../lib/format';
import { countryName } from './countries';
import { deliveryRate, type Counts } from './trend';

/** A destination bucket of the usage report: its key is the E.164 calling code. */
export type CountryBucket = Counts & { key: string };

/** How many destinations the table shows (the busiest). */
const shown = 10;

/** CountryTable shows the delivery rate of the period's busiest destinations. */
export function CountryTable({ buckets }: { buckets: CountryBucket[] }) {
  const rows = [...buckets].sort((a, b) => b.messages - a.messages || a.key.localeCompare(b.key));
  return (
    <Paper variant="outlined" sx={{ p: 2, height: '100%' }} component="section" aria-labelledby="country-title">
      <Typography variant="subtitle1" component="h2" id="country-title">
        Delivery rate by country
      </Typography>
      {rows.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No messages in this period.
        </Typography>
      ) : (
        <Table size="small" aria-labelledby="country-title">
          <TableHead>
            <TableRow>
              <TableCell>Country</TableCell>
              <TableCell align="right">Sent</TableCell>
              <TableCell sx={{ width: '40%' }}>Delivered</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.slice(0, shown).map((b) => {
              const r = deliveryRate(b);
              const name = countryName(b.key);
              return (
                <TableRow key={b.key}>
                  <TableCell>
                    {name}
                    <Typography variant="caption" color="text.secondary">
                      {' '}
                      +{b.key}
                    </Typography>
                  </TableCell>
                  <TableCell align="right">{formatCount(b.messages)}</TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                      <LinearProgress
                        variant="determinate"
                        value={(r ?? 0) * 100}
                        color={r === null ? 'inherit' : r >= 0.9 ? 'success' : r >= 0.7 ? 'warning' : 'error'}
                        sx={{ flexGrow: 1, height: 8, borderRadius: 1 }}
                        aria-label={`Delivered to ${name}`}
                      />
                      <Typography variant="body2" sx={{ minWidth: 48, textAlign: 'right' }}>
                        {formatPercent(r)}
                      </Typography>
                    </Stack>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {rows.length > shown && (
        <Typography variant="caption" color="text.secondary">
          and {rows.length - shown} more destinations
        </Typography>
      )}
    </Paper>
  );
}
