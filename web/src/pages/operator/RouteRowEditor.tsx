import { Button, Checkbox, FormControlLabel, IconButton, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import type { ChoiceRow, RouteErrors, RouteRow } from './config';

type RouteError = RouteErrors['routes'][number];

/**
 * RouteRowEditor edits one route: its prefix, how it chooses, and its
 * carriers with priority and weight. carriers, when known, are offered in
 * a list; otherwise a carrier is typed.
 */
export function RouteRowEditor(props: {
  index: number;
  row: RouteRow;
  error: RouteError;
  carriers?: string[];
  onChange: (r: RouteRow) => void;
  onRemove: () => void;
}) {
  const { index, row, error, carriers, onChange, onRemove } = props;
  const n = index + 1;
  const setChoice = (i: number, c: Partial<ChoiceRow>) =>
    onChange({ ...row, carriers: row.carriers.map((x, k) => (k === i ? { ...x, ...c } : x)) });
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="fieldset" aria-label={`Route ${n}`}>
      <Stack spacing={2}>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
          <TextField size="small" label={`Prefix of route ${n}`} placeholder="44" value={row.prefix}
            onChange={(e) => onChange({ ...row, prefix: e.target.value })} error={!!error?.prefix}
            helperText={error?.prefix || 'Empty: every number'} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
          <TextField size="small" label={`Per-sender limit of route ${n}`} value={row.sender_tps}
            onChange={(e) => onChange({ ...row, sender_tps: e.target.value })} error={!!error?.sender_tps}
            helperText={error?.sender_tps || 'Segments/s per sender; 0: none'} slotProps={{ htmlInput: { inputMode: 'decimal' } }} />
          <FormControlLabel control={<Checkbox checked={row.least_cost} onChange={(e) => onChange({ ...row, least_cost: e.target.checked })} />}
            label="Least cost first" />
          <IconButton aria-label={`Remove route ${n}`} onClick={onRemove} sx={{ alignSelf: { xs: 'flex-end', sm: 'flex-start' } }}>
            <DeleteIcon />
          </IconButton>
        </Stack>
        {row.carriers.map((c, i) => (
          <Stack key={i} direction="row" spacing={1} sx={{ alignItems: 'flex-start', flexWrap: { xs: 'wrap', sm: 'nowrap' }, rowGap: 1 }}>
            <TextField size="small" label={`Carrier ${i + 1} of route ${n}`} value={c.carrier} select={!!carriers}
              onChange={(e) => setChoice(i, { carrier: e.target.value })} error={!!error?.choices[i]} helperText={error?.choices[i]}
              sx={{ minWidth: 180, flexGrow: 1 }}>
              {carriers?.map((name) => (
                <MenuItem key={name} value={name}>
                  {name}
                </MenuItem>
              ))}
            </TextField>
            <TextField size="small" label="Priority" value={c.priority} onChange={(e) => setChoice(i, { priority: e.target.value })}
              sx={{ width: 100 }} slotProps={{ htmlInput: { inputMode: 'numeric', 'aria-label': `Priority of carrier ${i + 1} of route ${n}` } }} />
            <TextField size="small" label="Weight" value={c.weight} onChange={(e) => setChoice(i, { weight: e.target.value })}
              sx={{ width: 100 }} slotProps={{ htmlInput: { inputMode: 'numeric', 'aria-label': `Weight of carrier ${i + 1} of route ${n}` } }} />
            <IconButton aria-label={`Remove carrier ${i + 1} of route ${n}`}
              onClick={() => onChange({ ...row, carriers: row.carriers.filter((_, k) => k !== i) })}>
              <DeleteIcon />
            </IconButton>
          </Stack>
        ))}
        {error?.carriers && (
          <Typography color="error" variant="body2">
            {error.carriers}
          </Typography>
        )}
        <Button size="small" sx={{ alignSelf: 'flex-start' }}
          onClick={() => onChange({ ...row, carriers: [...row.carriers, { carrier: '', priority: '0', weight: '1' }] })}>
          Add a carrier to route {n}
        </Button>
      </Stack>
    </Paper>
  );
}
