import { FormControlLabel, FormHelperText, MenuItem, Stack, Switch, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { parseNumbers, type Draft, type Problems } from './draft';
import { MultiPicker, SinglePicker } from './pickers';

export interface StepProps {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  problems: Problems;
}

/** AudienceStep asks the campaign's name, sender, kind and type, and who gets it. */
export function AudienceStep({ draft: d, set, problems: p }: StepProps) {
  const count = parseNumbers(d.numbers).length;
  return (
    <Stack spacing={2.5}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <TextField label="Campaign name" value={d.name} onChange={(e) => set({ name: e.target.value })} error={!!p.name} helperText={p.name} fullWidth required />
        <TextField
          label="Sender"
          value={d.from}
          onChange={(e) => set({ from: e.target.value })}
          error={!!p.from}
          helperText={p.from ?? 'A number or a name of up to 11 characters'}
          fullWidth
          required
        />
        <TextField
          select
          label="Kind"
          value={d.kind}
          onChange={(e) => set({ kind: e.target.value as Draft['kind'] })}
          helperText={d.kind === 'marketing' ? 'Keeps quiet hours' : 'Sent at any hour'}
          sx={{ minWidth: 180 }}
        >
          <MenuItem value="marketing">Marketing</MenuItem>
          <MenuItem value="transactional">Transactional</MenuItem>
        </TextField>
      </Stack>
      <Stack spacing={1}>
        <Typography variant="subtitle2" component="h3" id="campaign-type">
          Type
        </Typography>
        <ToggleButtonGroup exclusive value={d.mode} onChange={(_, v) => v && set({ mode: v })} aria-labelledby="campaign-type" size="small">
          <ToggleButton value="single">One message</ToggleButton>
          <ToggleButton value="ab">A/B test</ToggleButton>
          <ToggleButton value="drip">Drip sequence</ToggleButton>
        </ToggleButtonGroup>
      </Stack>
      {d.mode === 'drip' ? (
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            Each contact entering the list or segment gets the sequence's steps, timed from its entry.
          </Typography>
          <ToggleButtonGroup exclusive size="small" value={d.dripSource} onChange={(_, v) => v && set({ dripSource: v })} aria-label="Sequence starts on entry into">
            <ToggleButton value="list">A list</ToggleButton>
            <ToggleButton value="segment">A segment</ToggleButton>
          </ToggleButtonGroup>
          {d.dripSource === 'list' ? (
            <SinglePicker kind="lists" label="List" value={d.dripListId} onChange={(id) => set({ dripListId: id })} error={p.drip} />
          ) : (
            <SinglePicker kind="segments" label="Segment" value={d.dripSegmentId} onChange={(id) => set({ dripSegmentId: id })} error={p.drip} />
          )}
          <FormControlLabel
            control={<Switch checked={d.includeExisting} onChange={(e) => set({ includeExisting: e.target.checked })} />}
            label="Contacts already in it at the launch enter too"
          />
          <FormControlLabel
            control={<Switch checked={d.exitOnReply} onChange={(e) => set({ exitOnReply: e.target.checked })} />}
            label="A contact who replies leaves the sequence"
          />
        </Stack>
      ) : (
        <Stack spacing={2}>
          <MultiPicker kind="lists" value={d.listIds} onChange={(ids) => set({ listIds: ids })} error={p.lists} />
          <MultiPicker kind="segments" value={d.segmentIds} onChange={(ids) => set({ segmentIds: ids })} error={p.segments} />
          <TextField
            label="Numbers"
            placeholder={'+447700900123\n+447700900124'}
            multiline
            minRows={2}
            maxRows={8}
            value={d.numbers}
            onChange={(e) => set({ numbers: e.target.value })}
            error={!!p.numbers}
            helperText={p.numbers ?? `${count} number${count === 1 ? '' : 's'}; one a line or separated by commas (at most 10,000)`}
          />
          {p.audience && <FormHelperText error>{p.audience}</FormHelperText>}
          <Typography variant="body2" color="text.secondary">
            The audience is the union of these, each number once; opted-out numbers are left out.
          </Typography>
        </Stack>
      )}
    </Stack>
  );
}
