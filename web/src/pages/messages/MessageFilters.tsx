import { useCallback } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, MenuItem, Stack, TextField } from '@mui/material';
import { DatePicker } from '@mui/x-date-pickers/DatePicker';
import dayjs from 'dayjs';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/problem';
import { DebouncedField } from './DebouncedField';
import { filterKeys, rangeError } from './filters';

type Status = Schemas['Status'];

// Each filter: the full width on phones, side by side from tablets.
const fieldSx = { width: { xs: '100%', sm: 180 } };

const statuses: Status[] = ['accepted', 'scheduled', 'queued', 'submitted', 'delivered', 'undelivered', 'expired', 'rejected', 'failed'];

/** MessageFilters edits the filters kept in the URL: status, number, sender, campaign, day range. */
export function MessageFilters({ params, set }: { params: URLSearchParams; set: (changes: Record<string, string>) => void }) {
  const campaigns = useQuery({
    queryKey: ['campaigns', 'filter'],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns', { params: { query: { limit: 100 } } })),
    retry: false,
  });
  const get = (k: string) => params.get(k) ?? '';
  const campaign = get('campaign');
  const first = get('first');
  const last = get('last');
  const badRange = rangeError(first, last);
  const listed = campaigns.data?.data ?? [];
  const setTo = useCallback((v: string) => set({ to: v }), [set]);
  const setSender = useCallback((v: string) => set({ sender: v }), [set]);
  const any = filterKeys.some((k) => params.get(k));
  return (
    <Stack direction="row" useFlexGap spacing={2} sx={{ mb: 2, flexWrap: 'wrap' }}>
      <TextField select label="Status" value={get('status')} onChange={(e) => set({ status: e.target.value })} size="small" sx={fieldSx}>
        <MenuItem value="">Any</MenuItem>
        {statuses.map((s) => (
          <MenuItem key={s} value={s}>
            {s}
          </MenuItem>
        ))}
      </TextField>
      <DebouncedField label="Number" placeholder="+447700900123" value={get('to')} onCommit={setTo} size="small" sx={fieldSx} />
      <DebouncedField label="Sender" placeholder="Gallant" value={get('sender')} onCommit={setSender} size="small" sx={fieldSx} />
      {(listed.length > 0 || campaign) && (
        <TextField select label="Campaign" value={campaign} onChange={(e) => set({ campaign: e.target.value })} size="small" sx={fieldSx}>
          <MenuItem value="">Any</MenuItem>
          {campaign && !listed.some((c) => String(c.id) === campaign) && <MenuItem value={campaign}>Campaign {campaign}</MenuItem>}
          {listed.map((c) => (
            <MenuItem key={c.id} value={String(c.id)}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
      )}
      <DatePicker
        label="First day"
        value={first ? dayjs(first) : null}
        onChange={(d) => set({ first: d?.isValid() ? d.format('YYYY-MM-DD') : '' })}
        slotProps={{ textField: { size: 'small', sx: fieldSx }, field: { clearable: true } }}
      />
      <DatePicker
        label="Last day"
        value={last ? dayjs(last) : null}
        onChange={(d) => set({ last: d?.isValid() ? d.format('YYYY-MM-DD') : '' })}
        slotProps={{
          textField: { size: 'small', sx: fieldSx, error: !!badRange, helperText: badRange ?? undefined },
          field: { clearable: true },
        }}
      />
      {any && (
        <Button onClick={() => set(Object.fromEntries(filterKeys.map((k) => [k, ''])))} sx={{ minWidth: 'auto !important' }}>
          Clear filters
        </Button>
      )}
    </Stack>
  );
}
