import { Chip } from '@mui/material';
import type { Schemas } from '../../api/client';

type Status = Schemas['Status'];

const colour: Record<Status, 'default' | 'primary' | 'success' | 'error' | 'warning'> = {
  accepted: 'primary',
  scheduled: 'default',
  queued: 'primary',
  submitted: 'primary',
  delivered: 'success',
  undelivered: 'error',
  expired: 'warning',
  rejected: 'error',
  failed: 'error',
};

/** StatusChip shows a message status in its colour (in flight: primary, whose contrast passes on light and dark). */
export function StatusChip({ status }: { status: Status }) {
  return <Chip size="small" label={status} color={colour[status] ?? 'default'} variant="outlined" />;
}
