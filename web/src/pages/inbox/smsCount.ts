// The counter line under a text box, from the shared count (lib/sms, the
// gateway's own rules).
import { countText, MAX_SEGMENTS } from '../../lib/sms';

/** describeCount is the counter's line under a text box: length, segments, encoding and room left. */
export function describeCount(text: string): string {
  const c = countText(text);
  const enc = c.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2';
  const left = c.segments * c.perSegment - c.units;
  const over = c.segments > MAX_SEGMENTS ? ` · too long: at most ${MAX_SEGMENTS} segments` : '';
  return `${c.units} ${c.encoding === 'gsm7' ? 'characters' : 'UCS-2 characters'} · ${c.segments} segment${c.segments === 1 ? '' : 's'} (${enc}) · ${left} left${over}`;
}
