import { Chip } from '@mui/material';
import type { Schemas } from '../../api/client';

type Status = Schemas['Status'];

const colour: Record<Status, 'default' | 'success' | 'error' | 'warning' | 'info'> = {
  accepted: 'info',
  scheduled: 'default',
  queued: 'info',
  submitted: 'info',
  delivered: 'success',
  undelivered: 'error',
  expired: 'warning',
  rejected: 'error',
  failed: 'error',
};

/** StatusChip shows a message status in its colour. */
export function StatusChip({ status }: { status: Status }) {
  return <Chip size="small" label={status} color={colour[status] ?? 'default'} variant="outlined" />;
}
