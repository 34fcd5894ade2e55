import { Alert, Box, Chip, Stack, Typography } from '@mui/material';
import type { Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatMoney } from '../../lib/format';
import { markUCS2 } from './placeholders';

type Preview = Schemas['Preview'];

/** TemplatePreview shows a rendered template: its text (UCS-2 characters marked), encoding, segments and price. */
export function TemplatePreview({ preview, error, hasBody }: { preview?: Preview; error: unknown; hasBody: boolean }) {
  if (error) return <ProblemAlert error={error} />;
  if (!preview) return <Typography color="text.secondary">{hasBody ? 'Rendering…' : 'Write a text to see it here.'}</Typography>;
  if (preview.skipped) {
    return (
      <Alert severity="warning" data-testid="template-preview-skipped">
        A campaign would skip this recipient: {preview.skip_reason}
      </Alert>
    );
  }
  const parts = markUCS2(preview.text, preview.ucs2_characters.map((c) => c.index));
  return (
    <Stack spacing={1.5}>
      <Box
        data-testid="template-preview-text"
        sx={{ whiteSpace: 'pre-wrap', bgcolor: 'action.hover', p: 1.5, borderRadius: 2, fontFamily: 'inherit', wordBreak: 'break-word' }}
      >
        {parts.map((p, i) =>
          p.ucs2 ? (
            <Box key={i} component="mark" title="Forces UCS-2" sx={{ bgcolor: 'warning.light', color: 'warning.contrastText', borderRadius: 0.5 }}>
              {p.text}
            </Box>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
      </Box>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }} aria-live="polite">
        <Chip size="small" label={preview.encoding === 'ucs2' ? 'UCS-2' : 'GSM-7'} variant={preview.encoding === 'ucs2' ? 'filled' : 'outlined'} />
        <Chip size="small" variant="outlined" label={`${preview.characters} characters`} />
        <Chip size="small" variant="outlined" label={`${preview.segments} segment${preview.segments === 1 ? '' : 's'}`} data-testid="template-preview-segments" />
        <Chip
          size="small"
          variant="outlined"
          label={preview.price ? `${formatMoney(preview.price.total, preview.price.currency, 4)} to +${preview.price.to.replace(/^\+/, '')}` : preview.price_note || 'no price'}
        />
      </Stack>
      {preview.too_long && <Alert severity="error">Longer than 10 segments: shorten the text.</Alert>}
      {preview.ucs2_characters.length > 0 && (
        <Typography variant="body2" color="text.secondary">
          Sent as UCS-2 (67 characters a segment instead of 153) because of:{' '}
          {Array.from(new Set(preview.ucs2_characters.map((c) => c.char))).join(' ')}
        </Typography>
      )}
      {preview.links.length > 0 && (
        <Typography variant="body2" color="text.secondary">
          Links shortened: {preview.links.map((l) => `${l.url} → ${l.short}`).join(', ')}
        </Typography>
      )}
    </Stack>
  );
}
