import { Stack } from '@mui/material';
import { DatePicker } from '@mui/x-date-pickers/DatePicker';
import dayjs from 'dayjs';

/** DateRangeFields picks the first and last day of a custom period (loaded apart from the page: see lazy.ts). */
export default function DateRangeFields({ first, last, onChange }: { first: string; last: string; onChange: (first: string, last: string) => void }) {
  return (
    <Stack direction="row" spacing={1}>
      <DatePicker
        label="From"
        value={dayjs(first)}
        maxDate={dayjs(last)}
        onChange={(d) => d?.isValid() && onChange(d.format('YYYY-MM-DD'), last)}
        slotProps={{ textField: { size: 'small', sx: { width: 170 } } }}
      />
      <DatePicker
        label="To"
        value={dayjs(last)}
        minDate={dayjs(first)}
        onChange={(d) => d?.isValid() && onChange(first, d.format('YYYY-MM-DD'))}
        slotProps={{ textField: { size: 'small', sx: { width: 170 } } }}
      />
    </Stack>
  );
}
