import { Chip } from '@mui/material';
import type { Schemas } from '../../api/client';

type State = Schemas['Campaign']['state'];

const colour: Record<State, 'default' | 'success' | 'error' | 'warning' | 'info' | 'primary'> = {
  draft: 'default',
  launching: 'info',
  scheduled: 'info',
  running: 'primary',
  paused: 'warning',
  completed: 'success',
  cancelled: 'error',
};

/** StateChip shows a campaign's state in its colour. */
export function StateChip({ state }: { state: State }) {
  return <Chip size="small" label={state} color={colour[state] ?? 'default'} variant={state === 'running' ? 'filled' : 'outlined'} />;
}
