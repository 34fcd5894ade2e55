// A message's length in SMS terms: GSM-7 when every character is in the
// GSM 03.38 alphabet (extension characters count twice), else UCS-2.

const basic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const extension = '^{}\\[~]|€\f';
const basicSet = new Set(basic);
const extensionSet = new Set(extension);

/** SmsCount is a text's encoding, its length in that encoding's units and its segments. */
export interface SmsCount {
  encoding: 'gsm7' | 'ucs2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units left in the last segment. */
  remaining: number;
}

/** smsCount counts text as the gateway splits it. */
export function smsCount(text: string): SmsCount {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (basicSet.has(ch)) septets += 1;
    else if (extensionSet.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    const segments = septets <= 160 ? 1 : Math.ceil(septets / 153);
    const cap = segments === 1 ? 160 : segments * 153;
    return { encoding: 'gsm7', units: septets, segments, remaining: cap - septets };
  }
  const units = text.length; // UTF-16 code units
  const segments = units <= 70 ? 1 : Math.ceil(units / 67);
  const cap = segments === 1 ? 70 : segments * 67;
  return { encoding: 'ucs2', units, segments, remaining: cap - units };
}

/** describeCount is the counter's line under a text box. */
export function describeCount(text: string): string {
  const c = smsCount(text);
  const enc = c.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2';
  return `${c.units} ${c.encoding === 'gsm7' ? 'characters' : 'UCS-2 characters'} · ${c.segments} segment${c.segments === 1 ? '' : 's'} (${enc}) · ${c.remaining} left`;
}
