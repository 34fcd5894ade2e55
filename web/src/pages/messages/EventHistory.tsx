import { List, ListItem, ListItemText, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { formatTime } from '../../lib/format';
import { describeErrorCode, explainErrorCode } from './errorCodes';
import { bySegment, type Event } from './history';
import { StatusChip } from './StatusChip';

/** ErrorCode shows an event's error code with what it means. "000" (no error) is left out. */
function ErrorCode({ code }: { code?: string }) {
  if (!code || code === '000') return null;
  return (
    <Typography variant="caption" color="error" component="span">
      {describeErrorCode(code)}
    </Typography>
  );
}

/** Timeline lists a message's events in order: its status timeline. */
export function Timeline({ history }: { history: Event[] }) {
  return (
    <List dense aria-label="Status timeline">
      {history.map((e, i) => (
        <ListItem key={i} disableGutters>
          <ListItemText
            primary={
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
                <StatusChip status={e.status} />
                {e.segment ? <span>segment {e.segment}</span> : null}
              </Stack>
            }
            secondary={
              <>
                {formatTime(e.at)} <ErrorCode code={e.error_code} />
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}

/** CarrierErrors explains each distinct error code of the history, once. */
export function CarrierErrors({ history }: { history: Event[] }) {
  const codes = [...new Set(history.map((e) => e.error_code).filter((c): c is string => !!c && c !== '000'))];
  if (codes.length === 0) return null;
  return (
    <section aria-labelledby="carrier-errors-title">
      <Typography variant="subtitle2" component="h3" id="carrier-errors-title">
        Error codes
      </Typography>
      <List dense aria-labelledby="carrier-errors-title">
        {codes.map((c) => {
          const e = explainErrorCode(c);
          const from = e.source === 'smpp' ? 'The carrier refused the submission' : e.source === 'receipt' ? 'The carrier\u2019s receipt' : 'The gateway';
          return (
            <ListItem key={c} disableGutters>
              <ListItemText primary={describeErrorCode(c)} secondary={`${from}${e.source === 'receipt' ? ' (meanings vary by network; these are the usual GSM ones)' : ''}`} />
            </ListItem>
          );
        })}
      </List>
    </section>
  );
}

/** ReceiptHistory shows every event per segment: the submissions and receipts of each part. */
export function ReceiptHistory({ history }: { history: Event[] }) {
  const groups = bySegment(history).filter((g) => g.segment > 0);
  if (groups.length === 0) return null;
  return (
    <section aria-labelledby="receipts-title">
      <Typography variant="subtitle2" component="h3" id="receipts-title">
        Receipt history
      </Typography>
      <Table size="small" aria-labelledby="receipts-title">
        <TableHead>
          <TableRow>
            <TableCell>Segment</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>At</TableCell>
            <TableCell>Code</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {groups.flatMap((g) =>
            g.events.map((e, i) => (
              <TableRow key={`${g.segment}-${i}`}>
                <TableCell>{i === 0 ? g.segment : ''}</TableCell>
                <TableCell>
                  <StatusChip status={e.status} />
                </TableCell>
                <TableCell>{formatTime(e.at)}</TableCell>
                <TableCell>{e.error_code ?? ''}</TableCell>
              </TableRow>
            )),
          )}
        </TableBody>
      </Table>
    </section>
  );
}
