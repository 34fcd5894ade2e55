// Placeholder chips of the template editor: which placeholders exist and
// how a chip is inserted at the caret.

/** placeholderTokens lists the placeholders a template can use, custom fields included. */
export function placeholderTokens(fields: string[]): string[] {
  return ['first_name', 'last_name', 'phone', 'email', ...fields.map((f) => `field.${f}`), 'optout'];
}

/** token writes a placeholder, with its default after a bar when one is given ({{first_name|there}}). */
export function token(name: string, fallback?: string): string {
  return fallback !== undefined && fallback !== '' && name !== 'optout' ? `{{${name}|${fallback}}}` : `{{${name}}}`;
}

/** insertAt puts text in place of the selection [start, end) and returns the new body and caret. */
export function insertAt(body: string, start: number, end: number, text: string): { body: string; caret: number } {
  const s = Math.max(0, Math.min(start, body.length));
  const e = Math.max(s, Math.min(end, body.length));
  return { body: body.slice(0, s) + text + body.slice(e), caret: s + text.length };
}

/** Part is a run of a rendered text, marked when its characters force UCS-2. */
export interface Part {
  text: string;
  ucs2: boolean;
}

/**
 * markUCS2 splits a preview's text into runs, marking the characters the API
 * listed as forcing UCS-2 (indexes count characters, i.e. code points).
 */
export function markUCS2(text: string, indexes: number[]): Part[] {
  const marked = new Set(indexes);
  const parts: Part[] = [];
  Array.from(text).forEach((ch, i) => {
    const u = marked.has(i);
    const last = parts[parts.length - 1];
    if (last && last.ucs2 === u) last.text += ch;
    else parts.push({ text: ch, ucs2: u });
  });
  return parts;
}
