import { IconButton, MenuItem, Stack, TextField } from '@mui/material';
import DeleteIcon from '@mui/icons-material/DeleteOutlined';
import { conditionProblem, fieldLabels, fieldOptions, newCondition, opLabels, operators, type Condition, type FieldType } from './rules';

/** ConditionRow edits one condition: its field, its operator and a value input fitting the operator. */
export function ConditionRow(props: {
  index: number;
  c: Condition;
  custom: { name: string; type: FieldType }[];
  lists: { id: number; name: string }[];
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const { index, c, custom, lists, onChange, onRemove } = props;
  const ops = operators(c.field, custom);
  const kind = ops[c.op];
  const n = index + 1;
  const problem = c.value !== '' || kind === 'bool' ? conditionProblem(c, custom) : null;
  const label = (f: string) => (f.startsWith('field.') ? `${f.slice(6)} (custom)` : fieldLabels[f] ?? f);
  const common = { size: 'small' as const, sx: { minWidth: 160, flex: 1 } };
  let value = null;
  if (kind === 'bool') {
    value = (
      <TextField select label={`Value ${n}`} value={c.value} onChange={(e) => onChange({ ...c, value: e.target.value })} {...common}>
        <MenuItem value="true">yes</MenuItem>
        <MenuItem value="false">no</MenuItem>
      </TextField>
    );
  } else if (kind === 'list') {
    value = (
      <TextField select label={`List ${n}`} value={c.value} onChange={(e) => onChange({ ...c, value: e.target.value })} {...common}>
        {lists.map((l) => (
          <MenuItem key={l.id} value={String(l.id)}>
            {l.name}
          </MenuItem>
        ))}
      </TextField>
    );
  } else if (kind && kind !== 'none') {
    value = (
      <TextField
        label={kind === 'days' ? `Days ${n}` : `Value ${n}`}
        value={c.value}
        onChange={(e) => onChange({ ...c, value: e.target.value })}
        type={kind === 'number' || kind === 'days' ? 'number' : kind === 'date' ? 'date' : 'text'}
        slotProps={kind === 'date' ? { inputLabel: { shrink: true } } : undefined}
        error={Boolean(problem)}
        helperText={problem ?? undefined}
        {...common}
      />
    );
  }
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' }, p: { xs: 1, sm: 0 }, border: { xs: 1, sm: 0 }, borderColor: 'divider', borderRadius: 1 }} role="group" aria-label={`Condition ${n}`}>
      <TextField
        select
        label={`Field ${n}`}
        value={c.field}
        onChange={(e) => onChange(newCondition(e.target.value, custom))}
        {...common}
      >
        {fieldOptions(custom).map((f) => (
          <MenuItem key={f} value={f}>
            {label(f)}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        label={`Operator ${n}`}
        value={ops[c.op] ? c.op : ''}
        onChange={(e) => onChange({ ...c, op: e.target.value, value: ops[e.target.value] === 'bool' ? 'true' : ops[e.target.value] === ops[c.op] ? c.value : '' })}
        {...common}
      >
        {Object.keys(ops).map((o) => (
          <MenuItem key={o} value={o}>
            {opLabels[o] ?? o}
          </MenuItem>
        ))}
      </TextField>
      {value ?? <span style={{ flex: 1, minWidth: 160 }} />}
      <IconButton aria-label={`Remove condition ${n}`} onClick={onRemove}>
        <DeleteIcon />
      </IconButton>
    </Stack>
  );
}
