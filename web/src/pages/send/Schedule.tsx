import { lazy, Suspense } from 'react';
import { FormControlLabel, Skeleton, Stack, Switch } from '@mui/material';
import type { ScheduleValue } from './schedule';

const SchedulePicker = lazy(() => import('./SchedulePicker'));

/** Schedule sends now, or later at a date and time in a chosen time zone. */
export function Schedule({ value, onChange, error }: { value: ScheduleValue; onChange: (v: ScheduleValue) => void; error?: string }) {
  return (
    <Stack spacing={2}>
      <FormControlLabel
        control={<Switch checked={value.later} onChange={(e) => onChange({ ...value, later: e.target.checked })} />}
        label="Schedule for later"
      />
      {value.later && (
        <Suspense fallback={<Skeleton height={56} />}>
          <SchedulePicker value={value} onChange={onChange} error={error} />
        </Suspense>
      )}
    </Stack>
  );
}
