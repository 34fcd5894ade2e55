import { FormControlLabel, Radio, RadioGroup, Stack, TextField, Typography } from '@mui/material';
import type { StepProps } from './AudienceStep';

const num = (s: string) => (s === '' ? NaN : Number(s));

/** ScheduleStep asks when and how fast the campaign goes out. */
export function ScheduleStep({ draft: d, set, problems: p }: StepProps) {
  if (d.mode === 'drip') {
    return (
      <Typography color="text.secondary">
        A drip sequence starts at its launch and runs until cancelled: each step goes out on its own delay after a contact&apos;s entry.
        {d.kind === 'marketing' ? ' Marketing steps keep quiet hours.' : ''}
      </Typography>
    );
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <Stack spacing={3}>
      <Stack spacing={1}>
        <Typography variant="subtitle2" component="h3" id="when-label">
          When
        </Typography>
        <RadioGroup aria-labelledby="when-label" value={d.when} onChange={(e) => set({ when: e.target.value as 'now' | 'at' })}>
          <FormControlLabel value="now" control={<Radio />} label="At the launch" />
          <FormControlLabel value="at" control={<Radio />} label="At a date and time" />
        </RadioGroup>
        {d.when === 'at' && (
          <TextField
            label={`Send at (${zone})`}
            type="datetime-local"
            value={d.sendAt}
            onChange={(e) => set({ sendAt: e.target.value })}
            error={!!p.sendAt}
            helperText={p.sendAt}
            slotProps={{ inputLabel: { shrink: true } }}
            sx={{ maxWidth: 320 }}
          />
        )}
        <TextField
          label="Each recipient at (their local time)"
          type="time"
          value={d.localTime}
          onChange={(e) => set({ localTime: e.target.value })}
          error={!!p.localTime}
          helperText={p.localTime ?? "Optional: the first such time of each contact's own time zone from the start"}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ maxWidth: 320 }}
        />
      </Stack>
      <Stack spacing={1}>
        <Typography variant="subtitle2" component="h3" id="pacing-label">
          Pacing
        </Typography>
        <RadioGroup aria-labelledby="pacing-label" value={d.pacing} onChange={(e) => set({ pacing: e.target.value as 'none' | 'rate' | 'spread' })}>
          <FormControlLabel value="none" control={<Radio />} label="As fast as the platform allows" />
          <FormControlLabel value="rate" control={<Radio />} label="At most so many messages a second" />
          <FormControlLabel value="spread" control={<Radio />} label="Spread over some hours" />
        </RadioGroup>
        {d.pacing === 'rate' && (
          <TextField
            label="Messages a second"
            type="number"
            value={Number.isNaN(d.maxRate) ? '' : d.maxRate}
            onChange={(e) => set({ maxRate: num(e.target.value) })}
            error={!!p.maxRate}
            helperText={p.maxRate}
            sx={{ maxWidth: 220 }}
          />
        )}
        {d.pacing === 'spread' && (
          <TextField
            label="Spread over (hours)"
            type="number"
            value={Number.isNaN(d.spreadHours) ? '' : d.spreadHours}
            onChange={(e) => set({ spreadHours: num(e.target.value) })}
            error={!!p.spreadHours}
            helperText={p.spreadHours}
            sx={{ maxWidth: 220 }}
          />
        )}
      </Stack>
      <Typography variant="body2" color="text.secondary">
        {d.kind === 'marketing'
          ? 'Quiet hours: a marketing campaign holds back recipients outside the allowed hours of their country (their local time) until the next allowed time; none is dropped.'
          : 'Transactional campaigns are not held back by quiet hours.'}
      </Typography>
    </Stack>
  );
}
