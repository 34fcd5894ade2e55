import { useRef } from 'react';
import { Autocomplete, Button, Chip, Stack, TextField, Typography } from '@mui/material';
import { useContactFields, useTemplates, type Template } from './data';
import { SmsCounter } from './SmsCounter';
import { SamplePreview } from './SamplePreview';

const personalFields = ['first_name', 'last_name', 'phone', 'email'];

export interface ComposerProps {
  text: string;
  onText: (text: string) => void;
  template: Template | null;
  onTemplate: (t: Template | null) => void;
  /** The API's complaint about the text, shown on the field. */
  error?: string;
  /** A number to render personal fields for (the first recipient). */
  samplePhone?: string;
}

/**
 * MessageComposer is the text of the message: typed, or a template's body;
 * personal fields inserted at the cursor; the live counter under it.
 */
export function MessageComposer({ text, onText, template, onTemplate, error, samplePhone }: ComposerProps) {
  const templates = useTemplates();
  const fields = useContactFields();
  const input = useRef<HTMLTextAreaElement>(null);

  const insert = (placeholder: string) => {
    const el = input.current;
    const at = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    const next = text.slice(0, at) + placeholder + text.slice(end);
    onText(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + placeholder.length, at + placeholder.length);
    });
  };

  const all = [
    ...personalFields.map((f) => ({ label: f, value: f === 'first_name' ? '{{first_name|there}}' : `{{${f}}}` })),
    ...(fields.data ?? []).map((f) => ({ label: `field.${f}`, value: `{{field.${f}}}` })),
    { label: 'opt-out text', value: '{{optout}}' },
  ];

  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
        <Autocomplete
          sx={{ flexGrow: 1 }}
          size="small"
          options={templates.data ?? []}
          value={template}
          loading={templates.isLoading}
          getOptionLabel={(t) => t.name}
          isOptionEqualToValue={(a, b) => a.id === b.id}
          onChange={(_, t) => {
            onTemplate(t);
            if (t) onText(t.body);
          }}
          noOptionsText="No templates yet: create one on the Templates page, or type the text below"
          renderInput={(p) => <TextField {...p} label="Template (optional)" />}
        />
        {templates.hasNextPage && (
          <Button size="small" onClick={() => templates.fetchNextPage()} disabled={templates.isFetchingNextPage}>
            Load more templates
          </Button>
        )}
      </Stack>
      <TextField
        label="Message"
        multiline
        minRows={4}
        value={text}
        onChange={(e) => onText(e.target.value)}
        inputRef={input}
        error={!!error}
        helperText={
          error ??
          (template
            ? template.body === text
              ? `Template "${template.name}", rendered for each recipient`
              : `Edited from template "${template.name}": sent as this text`
            : 'Long texts are split into segments, at most 10.')
        }
        slotProps={{ htmlInput: { 'data-testid': 'message-text', maxLength: 1600 } }}
      />
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="body2" color="text.secondary" id="personal-fields-label">
          Insert a personal field:
        </Typography>
        <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', rowGap: 0.5 }} role="group" aria-labelledby="personal-fields-label">
          {all.map((f) => (
            <Chip key={f.label} label={f.label} size="small" onClick={() => insert(f.value)} variant="outlined" />
          ))}
        </Stack>
      </Stack>
      <SmsCounter text={text} onReplace={onText} />
      {text.includes('{{') && <SamplePreview body={text} phone={samplePhone} />}
    </Stack>
  );
}
