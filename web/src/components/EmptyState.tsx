import type { ReactNode } from 'react';
import { Paper, Stack, Typography } from '@mui/material';

/** EmptyState says there is nothing here yet and what to do next. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 4 }}>
      <Stack spacing={1.5} sx={{ alignItems: 'flex-start' }}>
        <Typography variant="h6" component="h2">
          {title}
        </Typography>
        {children && <Typography color="text.secondary">{children}</Typography>}
        {action}
      </Stack>
    </Paper>
  );
}
