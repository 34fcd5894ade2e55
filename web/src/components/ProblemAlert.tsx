import { Alert, AlertTitle } from '@mui/material';
import { toProblem } from '../api/problem';

/**
 * ProblemAlert shows a failed call the way the API explained it: its title,
 * its detail and the field at fault. It renders nothing without an error.
 */
export function ProblemAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  const p = toProblem(error);
  return (
    <Alert severity={p.status >= 500 || p.status === 0 ? 'error' : 'warning'} onClose={onClose} sx={{ mb: 2 }} role="alert">
      <AlertTitle>{p.title}</AlertTitle>
      {p.detail}
      {p.field ? ` (field: ${p.field})` : null}
    </Alert>
  );
}

/** fieldError is the API's message for one form field, if the problem names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!error) return undefined;
  const p = toProblem(error);
  if (p.field === field) return p.detail;
  return p.errors?.find((e) => e.field === field)?.detail;
}
