import { Box, Button, Chip, Stack, Typography } from '@mui/material';
import { countText, MAX_SEGMENTS, runs, ucs2Characters } from '../../lib/sms';

/** Look-alikes in GSM 03.38 for characters that often slip into texts and force UCS-2. */
const lookAlikes: Record<string, string> = {
  '‘': "'", '’': "'", '‚': "'", '′': "'",
  '“': '"', '”': '"', '„': '"', '″': '"',
  '–': '-', '—': '-', '‐': '-', '−': '-',
  '…': '...', '\u00a0': ' ', '\t': ' ', '•': '-',
};

/** gsmLookAlike replaces the characters that have a GSM look-alike. */
export function gsmLookAlike(text: string): string {
  let out = '';
  for (const c of text) out += lookAlikes[c] ?? c;
  return out;
}

/**
 * SmsCounter shows how the text travels: GSM-7 or UCS-2, its length in
 * units, its segments, and the text with each character that forces UCS-2
 * highlighted (with a fix when they all have GSM look-alikes).
 */
export function SmsCounter({ text, onReplace }: { text: string; onReplace: (text: string) => void }) {
  const c = countText(text);
  const forcing = ucs2Characters(text);
  const distinct = Array.from(new Set(forcing.map((f) => f.char)));
  const fixable = distinct.some((ch) => ch in lookAlikes);
  const left = c.segments * c.perSegment - c.units;
  const tooLong = c.segments > MAX_SEGMENTS;
  return (
    <Stack spacing={1} role="status" aria-label="Character counter" aria-live="polite">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Chip
          size="small"
          label={c.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'}
          variant={c.encoding === 'gsm7' ? 'outlined' : 'filled'}
          sx={c.encoding === 'ucs2' ? markSx : undefined}
          data-testid="encoding"
        />
        <Typography variant="body2" data-testid="counter">
          {c.units} {c.encoding === 'gsm7' ? 'septets' : 'characters'} · {c.segments} segment{c.segments === 1 ? '' : 's'} of{' '}
          {c.perSegment} · {left} left{text.includes('{{') ? ' (as written, placeholders included)' : ''}
        </Typography>
        {tooLong && (
          <Typography variant="body2" color="error">
            More than {MAX_SEGMENTS} segments: the gateway refuses it.
          </Typography>
        )}
      </Stack>
      {forcing.length > 0 && (
        <Box>
          <Typography variant="body2" color="text.secondary">
            These characters make the text UCS-2 (70 characters a message instead of 160):{' '}
            {distinct.map((ch) => (
              <Box component="mark" key={ch} className="ucs2-char" sx={markSx}>
                {ch === ' ' ? '␣' : ch}
              </Box>
            ))}
          </Typography>
          <Typography
            variant="body2"
            data-testid="highlighted"
            aria-label="Text with the characters that force UCS-2 highlighted"
            sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', mt: 1, p: 1, borderRadius: 1, bgcolor: 'action.hover' }}
          >
            {runs(text).map((r, i) =>
              r.ucs2 ? (
                <Box component="mark" key={i} className="ucs2-char" sx={markSx}>
                  {r.text}
                </Box>
              ) : (
                <span key={i}>{r.text}</span>
              ),
            )}
          </Typography>
          {fixable && (
            <Button size="small" sx={{ mt: 1 }} onClick={() => onReplace(gsmLookAlike(text))}>
              Replace quotes, dashes and ellipses with GSM look-alikes
            </Button>
          )}
        </Box>
      )}
    </Stack>
  );
}

const markSx = {
  bgcolor: 'warning.light',
  color: 'common.black',
  borderRadius: 0.5,
  px: 0.25,
  mx: 0.125,
} as const;
