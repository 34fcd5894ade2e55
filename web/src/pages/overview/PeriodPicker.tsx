import { Suspense } from 'react';
import { Skeleton, Stack, ToggleButton, ToggleButtonGroup } from '@mui/material';
import { LazyDateRangeFields } from './lazy';
import { addDays, presetPeriod, presets, type PeriodChoice } from './period';

/** PeriodPicker chooses the Overview's period: 7, 30 or 90 days, or a custom range of dates. */
export function PeriodPicker({ choice, onChange }: { choice: PeriodChoice; onChange: (c: PeriodChoice) => void }) {
  const value = 'preset' in choice ? String(choice.preset) : 'custom';
  const pick = (v: string | null) => {
    if (!v || v === value) return;
    if (v === 'custom') {
      const p = presetPeriod('preset' in choice ? choice.preset : 30);
      onChange({ first: p.from, last: addDays(p.until, -1) });
    } else {
      onChange({ preset: Number(v) as (typeof presets)[number] });
    }
  };
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: { md: 'center' } }}>
      <ToggleButtonGroup size="small" exclusive value={value} onChange={(_, v) => pick(v)} aria-label="Period">
        {presets.map((n) => (
          <ToggleButton key={n} value={String(n)}>
            {n} days
          </ToggleButton>
        ))}
        <ToggleButton value="custom">Dates</ToggleButton>
      </ToggleButtonGroup>
      {'first' in choice && (
        <Suspense fallback={<Skeleton variant="rectangular" width={348} height={40} />}>
          <LazyDateRangeFields first={choice.first} last={choice.last} onChange={(first, last) => onChange({ first, last })} />
        </Suspense>
      )}
    </Stack>
  );
}
