import { Box, Button, FormControlLabel, IconButton, MenuItem, Paper, Stack, Switch, TextField, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import { BodyEditor } from './BodyEditor';
import type { Draft, DripStep, Variant } from './draft';
import type { StepProps } from './AudienceStep';

const num = (s: string) => (s === '' ? NaN : Number(s));

/** MessageStep asks what is sent: one message, A/B variants or drip steps. */
export function MessageStep({ draft: d, set, problems: p }: StepProps) {
  if (d.mode === 'single') {
    return <BodyEditor label="Message" value={d.body} onChange={(body) => set({ body })} error={p.body} />;
  }
  if (d.mode === 'ab') return <ABEditor draft={d} set={set} problems={p} />;
  return <DripEditor draft={d} set={set} problems={p} />;
}

function ABEditor({ draft: d, set, problems: p }: StepProps) {
  const setVariant = (i: number, v: Partial<Variant>) => set({ variants: d.variants.map((x, j) => (j === i ? { ...x, ...v } : x)) });
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        <TextField
          label="Test group (% of the audience)"
          type="number"
          value={Number.isNaN(d.testPercent) ? '' : d.testPercent}
          onChange={(e) => set({ testPercent: num(e.target.value) })}
          error={!!p.testPercent}
          helperText={p.testPercent ?? 'The winner goes to the rest'}
        />
        <TextField select label="Winner by" value={d.metric} onChange={(e) => set({ metric: e.target.value as Draft['metric'] })} sx={{ minWidth: 180 }}>
          <MenuItem value="delivery">Delivery rate</MenuItem>
          <MenuItem value="click">Click rate</MenuItem>
          <MenuItem value="reply">Reply rate</MenuItem>
        </TextField>
        <TextField
          label="Decide after (hours)"
          type="number"
          value={Number.isNaN(d.windowHours) ? '' : d.windowHours}
          onChange={(e) => set({ windowHours: num(e.target.value) })}
          error={!!p.windowHours}
          helperText={p.windowHours ?? 'After the test group is sent'}
        />
      </Stack>
      <FormControlLabel control={<Switch checked={d.manualWinner} onChange={(e) => set({ manualWinner: e.target.checked })} />} label="I pick the winner myself" />
      {p.variants && (
        <Typography color="error" variant="body2" role="alert">
          {p.variants}
        </Typography>
      )}
      {d.variants.map((v, i) => (
        <Paper key={i} variant="outlined" sx={{ p: 2 }}>
          <Stack spacing={1.5}>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Typography variant="subtitle2" component="h3" sx={{ flexGrow: 1 }}>
                Variant {i + 1}
              </Typography>
              <TextField
                label="Split %"
                type="number"
                size="small"
                value={Number.isNaN(v.split) ? '' : v.split}
                onChange={(e) => setVariant(i, { split: num(e.target.value) })}
                error={!!p[`variants.${i}.split`]}
                helperText={p[`variants.${i}.split`]}
                sx={{ width: 110 }}
              />
              <IconButton aria-label={`Remove variant ${i + 1}`} disabled={d.variants.length <= 2} onClick={() => set({ variants: d.variants.filter((_, j) => j !== i) })}>
                <DeleteIcon />
              </IconButton>
            </Stack>
            <BodyEditor label={`Variant ${i + 1} message`} value={v} onChange={(b) => setVariant(i, b)} error={p[`variants.${i}`]} />
          </Stack>
        </Paper>
      ))}
      <Box>
        <Button
          startIcon={<AddIcon />}
          disabled={d.variants.length >= 5}
          onClick={() => set({ variants: [...d.variants, { source: 'text', text: '', templateId: null, split: 0 }] })}
        >
          Add a variant
        </Button>
      </Box>
    </Stack>
  );
}

function DripEditor({ draft: d, set, problems: p }: StepProps) {
  const setStep = (i: number, s: Partial<DripStep>) => set({ steps: d.steps.map((x, j) => (j === i ? { ...x, ...s } : x)) });
  return (
    <Stack spacing={2}>
      {p.steps && (
        <Typography color="error" variant="body2" role="alert">
          {p.steps}
        </Typography>
      )}
      {d.steps.map((s, i) => (
        <Paper key={i} variant="outlined" sx={{ p: 2 }}>
          <Stack spacing={1.5}>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
              <Typography variant="subtitle2" component="h3" sx={{ flexGrow: 1 }}>
                Step {i + 1}
              </Typography>
              <TextField
                label="Wait"
                type="number"
                size="small"
                value={Number.isNaN(s.delay) ? '' : s.delay}
                onChange={(e) => setStep(i, { delay: num(e.target.value) })}
                error={!!p[`steps.${i}.delay`]}
                helperText={p[`steps.${i}.delay`]}
                sx={{ width: 100 }}
              />
              <TextField select size="small" label="Unit" value={s.unit} onChange={(e) => setStep(i, { unit: e.target.value as DripStep['unit'] })} sx={{ width: 120 }}>
                <MenuItem value="minutes">minutes</MenuItem>
                <MenuItem value="hours">hours</MenuItem>
                <MenuItem value="days">days</MenuItem>
              </TextField>
              <TextField
                label="Then at (their time)"
                size="small"
                type="time"
                value={s.at}
                onChange={(e) => setStep(i, { at: e.target.value })}
                error={!!p[`steps.${i}.at`]}
                helperText={p[`steps.${i}.at`]}
                slotProps={{ inputLabel: { shrink: true } }}
                sx={{ width: 170 }}
              />
              <IconButton aria-label={`Remove step ${i + 1}`} disabled={d.steps.length <= 1} onClick={() => set({ steps: d.steps.filter((_, j) => j !== i) })}>
                <DeleteIcon />
              </IconButton>
            </Stack>
            <BodyEditor label={`Step ${i + 1} message`} value={s} onChange={(b) => setStep(i, b)} error={p[`steps.${i}`]} />
          </Stack>
        </Paper>
      ))}
      <Box>
        <Button
          startIcon={<AddIcon />}
          disabled={d.steps.length >= 10}
          onClick={() => set({ steps: [...d.steps, { source: 'text', text: '', templateId: null, delay: 1, unit: 'days', at: '' }] })}
        >
          Add a step
        </Button>
      </Box>
    </Stack>
  );
}
