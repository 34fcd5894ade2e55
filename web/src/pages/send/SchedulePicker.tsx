import { useMemo } from 'react';
import { Autocomplete, Stack, TextField, Typography } from '@mui/material';
import { DateTimePicker } from '@mui/x-date-pickers/DateTimePicker';
import { browserZone, formatIn, scheduledInstant, scheduleProblem, timeZones, type ScheduleValue } from './schedule';

/**
 * SchedulePicker picks a date and time and a time zone, and says which
 * instant that is in UTC and in the browser's zone. Loaded only when a
 * send is scheduled (the date pickers are heavy).
 */
export default function SchedulePicker({ value, onChange, error }: { value: ScheduleValue; onChange: (v: ScheduleValue) => void; error?: string }) {
  const zones = useMemo(timeZones, []);
  const instant = scheduledInstant(value);
  const problem = error ?? scheduleProblem(value);
  const mine = browserZone();
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <DateTimePicker
          label="Send at"
          value={value.when}
          onChange={(when) => onChange({ ...value, when })}
          ampm={false}
          slotProps={{ textField: { size: 'small', error: !!problem, helperText: problem } }}
        />
        <Autocomplete
          size="small"
          sx={{ minWidth: 240 }}
          options={zones}
          value={value.zone}
          disableClearable
          onChange={(_, zone) => onChange({ ...value, zone })}
          renderInput={(p) => <TextField {...p} label="Time zone" />}
        />
      </Stack>
      {instant && (
        <Typography variant="body2" color="text.secondary" data-testid="schedule-instant">
          {formatIn(instant, value.zone)} ({value.zone}) is {instant.toISOString().slice(0, 16).replace('T', ' ')} UTC
          {mine !== value.zone ? `, ${formatIn(instant, mine)} in your time zone (${mine})` : ''}.
        </Typography>
      )}
    </Stack>
  );
}
