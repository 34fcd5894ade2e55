// How a handset bills a text: the same rules as the gateway's Go code
// (smpp/pdutext: gsm7.go and count.go), so the counter on the Send page
// agrees with what the API answers. GSM 03.38 default alphabet, one septet a
// character, the extension table (€ { } [ ] \ ^ ~ | and form feed) two; a
// text with any other character travels as UCS-2, in UTF-16 code units (a
// character outside the Basic Multilingual Plane, most emoji, counts two).
// One message holds 160 septets or 70 units; a longer text is cut into
// segments of 153 septets or 67 units (the 6-octet concatenation header), a
// character never split across two.

/** The GSM 03.38 default alphabet by septet (the escape, 0x1B, is null). */
const gsmDefault: readonly (string | null)[] = [
  '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
  'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', null, 'Æ', 'æ', 'ß', 'É',
  ' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
  '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/** The extension table: characters sent as the escape and a second septet. */
const gsmExtension = '\f^{}\\[~]|€';

/** Septets per character: 1 for the default table, 2 for the extension. */
const weights: ReadonlyMap<string, 1 | 2> = (() => {
  const m = new Map<string, 1 | 2>();
  for (const c of gsmExtension) m.set(c, 2);
  for (const c of gsmDefault) if (c !== null) m.set(c, 1);
  return m;
})();

/** GSM7_EXTENSION_COUNT is the size of the extension table (10, as in Go). */
export const GSM7_EXTENSION_COUNT = gsmExtension.length;

/** gsmDefaultTable returns the default alphabet, septet to character (null: the escape). */
export function gsmDefaultTable(): readonly (string | null)[] {
  return gsmDefault;
}

/**
 * gsm7Weight is the septets character c (one code point) takes: 1 or 2, or
 * 0 when neither GSM table holds it. A lone surrogate holds no character.
 */
export function gsm7Weight(c: string): 0 | 1 | 2 {
  return weights.get(c) ?? 0;
}

/** gsm7Septets is Go's GSM7Septets: the septets of s, or null when some character is in neither table. */
export function gsm7Septets(s: string): number | null {
  let n = 0;
  for (const c of s) {
    const w = gsm7Weight(c);
    if (w === 0) return null;
    n += w;
  }
  return n;
}

/** Encoding is how a text travels: GSM 7-bit or UCS-2. */
export type Encoding = 'gsm7' | 'ucs2';

/** Count is how a handset bills a text, as Go's pdutext.Count. */
export interface Count {
  encoding: Encoding;
  /** Septets (GSM 7-bit, extension characters two) or UTF-16 units (UCS-2). */
  units: number;
  /** 1 for a text that fits one message (the empty text too), else the parts. */
  segments: number;
  /** Capacity of each segment in units: 160 or 70 single, 153 or 67 in parts. */
  perSegment: number;
}

const single: Record<Encoding, number> = { gsm7: 160, ucs2: 70 };
const multi: Record<Encoding, number> = { gsm7: 153, ucs2: 67 };

/** The gateway's limit: at most 10 segments a message (more: message-too-long). */
export const MAX_SEGMENTS = 10;

/** countWeights counts greedy segments over characters' weights, never splitting one. */
function countWeights(encoding: Encoding, ws: Iterable<number>): Count {
  let total = 0;
  let fill = 0;
  let segs = 1;
  for (const w of ws) {
    total += w;
    if (fill + w > multi[encoding]) {
      segs++;
      fill = 0;
    }
    fill += w;
  }
  if (total <= single[encoding]) return { encoding, units: total, segments: 1, perSegment: single[encoding] };
  return { encoding, units: total, segments: segs, perSegment: multi[encoding] };
}

/**
 * countText is Go's CountText: the text in GSM 7-bit when every character
 * is in the GSM tables, else in UCS-2, with its units and segments. A lone
 * surrogate counts one UCS-2 unit (as the U+FFFD that would replace it).
 */
export function countText(s: string): Count {
  const ws: number[] = [];
  for (const c of s) {
    const w = gsm7Weight(c);
    if (w === 0) return countWeights('ucs2', ucs2Weights(s));
    ws.push(w);
  }
  return countWeights('gsm7', ws);
}

function* ucs2Weights(s: string): Generator<number> {
  for (const c of s) yield c.length; // a code point of two UTF-16 units is a surrogate pair
}

/** Run is a stretch of text, marked when its characters force UCS-2. */
export interface Run {
  text: string;
  ucs2: boolean;
}

/**
 * runs cuts s into stretches of GSM characters and of characters that force
 * UCS-2, in order, so an editor can highlight the latter.
 */
export function runs(s: string): Run[] {
  const out: Run[] = [];
  for (const c of s) {
    const ucs2 = gsm7Weight(c) === 0;
    const last = out[out.length - 1];
    if (last && last.ucs2 === ucs2) last.text += c;
    else out.push({ text: c, ucs2 });
  }
  return out;
}

/**
 * ucs2Characters lists each character forcing UCS-2 with its index in
 * characters (code points) from 0, as the API's preview answers
 * ucs2_characters.
 */
export function ucs2Characters(s: string): { char: string; index: number }[] {
  const out: { char: string; index: number }[] = [];
  let i = 0;
  for (const c of s) {
    if (gsm7Weight(c) === 0) out.push({ char: c, index: i });
    i++;
  }
  return out;
}
