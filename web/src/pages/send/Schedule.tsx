import { useMemo } from 'react';
import { Autocomplete, FormControlLabel, Stack, Switch, TextField, Typography } from '@mui/material';
import { DateTimePicker } from '@mui/x-date-pickers/DateTimePicker';
import type { Dayjs } from 'dayjs';
import { browserZone, formatIn, timeZones, zonedInstant } from './schedule';

/** ScheduleValue is the schedule as the form holds it. */
export interface ScheduleValue {
  later: boolean;
  /** The wall-clock date and time picked (read in zone, whatever the picker's own zone). */
  when: Dayjs | null;
  zone: string;
}

/** MAX_AHEAD_MS is how far ahead the API lets a message wait: 30 days. */
export const MAX_AHEAD_MS = 30 * 24 * 3600_000;

/** scheduledInstant is the instant a schedule means, or null for now or an incomplete one. */
export function scheduledInstant(s: ScheduleValue): Date | null {
  if (!s.later || !s.when || !s.when.isValid()) return null;
  return zonedInstant(
    { year: s.when.year(), month: s.when.month() + 1, day: s.when.date(), hour: s.when.hour(), minute: s.when.minute() },
    s.zone,
  );
}

/** scheduleProblem is what is wrong with a schedule, checked as the API checks send_at. */
export function scheduleProblem(s: ScheduleValue, now = Date.now()): string | undefined {
  if (!s.later) return undefined;
  const t = scheduledInstant(s);
  if (!t) return 'Pick a date and time';
  if (t.getTime() <= now) return 'The time is in the past';
  if (t.getTime() - now > MAX_AHEAD_MS) return 'At most 30 days ahead';
  return undefined;
}

/**
 * Schedule sends now or at a date and time in a chosen time zone, and says
 * which instant that is in UTC and in the browser's zone.
 */
export function Schedule({ value, onChange, error }: { value: ScheduleValue; onChange: (v: ScheduleValue) => void; error?: string }) {
  const zones = useMemo(timeZones, []);
  const instant = scheduledInstant(value);
  const problem = error ?? scheduleProblem(value);
  const mine = browserZone();
  return (
    <Stack spacing={2}>
      <FormControlLabel
        control={<Switch checked={value.later} onChange={(e) => onChange({ ...value, later: e.target.checked })} />}
        label="Schedule for later"
      />
      {value.later && (
        <>
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
        </>
      )}
    </Stack>
  );
}
