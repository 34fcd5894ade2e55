import { Stack, TextField, ToggleButton, ToggleButtonGroup } from '@mui/material';
import { describeCount } from '../../inbox/smsCount';
import type { Body } from './draft';
import { SinglePicker } from './pickers';

/** BodyEditor edits what one message says: a text with its counter, or a template. */
export function BodyEditor(props: { value: Body; onChange: (b: Body) => void; error?: string; label: string }) {
  const { value, onChange, error, label } = props;
  return (
    <Stack spacing={1.5}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={value.source}
        onChange={(_, v) => v && onChange({ ...value, source: v })}
        aria-label={`${label}: text or template`}
      >
        <ToggleButton value="text">Text</ToggleButton>
        <ToggleButton value="template">Template</ToggleButton>
      </ToggleButtonGroup>
      {value.source === 'text' ? (
        <TextField
          label={label}
          multiline
          minRows={3}
          value={value.text}
          onChange={(e) => onChange({ ...value, text: e.target.value })}
          error={!!error}
          helperText={
            error ??
            `${describeCount(value.text)}${value.text.includes('{{') ? ' before personal fields are filled in' : ''}. Personal fields: {{first_name|there}}, {{field.NAME}}, {{optout}}`
          }
        />
      ) : (
        <SinglePicker kind="templates" label={`${label} template`} value={value.templateId} onChange={(id) => onChange({ ...value, templateId: id })} error={error} />
      )}
    </Stack>
  );
}
