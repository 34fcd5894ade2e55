// Reading the head of a CSV file in the browser: enough to show its columns
// and first rows next to the mapping the API guessed. The import itself is
// parsed by the gateway.

/** parseCSV reads at most maxRows records of RFC 4180 CSV (quotes, "" escapes, CRLF or LF). */
export function parseCSV(text: string, maxRows = Infinity): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(cell);
    cell = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length && rows.length < maxRows) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') cell += c;
    i++;
  }
  if (rows.length < maxRows && (cell !== '' || row.length > 0)) endRow();
  return rows;
}

/**
 * headText cuts the start of a file's text to whole lines (at most limit
 * characters when a line ends before), so a dry run sends a small body and
 * never half a row.
 */
export function headText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.lastIndexOf('\n', limit);
  return cut > 0 ? text.slice(0, cut + 1) : text.slice(0, limit);
}

/** The contact attributes a column can be imported into (besides field.NAME and "-" to skip). */
export const standardTargets = ['phone', 'first_name', 'last_name', 'email', 'language', 'time_zone', 'tags'] as const;

/** targetLabel names a mapping target for people. */
export function targetLabel(t: string): string {
  if (t === '-') return 'Skip this column';
  if (t.startsWith('field.')) return `Custom field ${t.slice(6)}`;
  return t.replace('_', ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * mappingTargets lists the choices for each column: the standard attributes,
 * the declared custom fields, the custom fields the mapping names already
 * (a guessed header becomes a new text field) and skip.
 */
export function mappingTargets(declared: string[], mapping: string[]): string[] {
  const out: string[] = [...standardTargets];
  for (const f of declared) out.push(`field.${f}`);
  for (const m of mapping) if (m.startsWith('field.') && !out.includes(m)) out.push(m);
  out.push('-');
  return out;
}

/** mappingProblem says what is wrong with a mapping before it is sent (the API wants phone exactly once). */
export function mappingProblem(mapping: string[]): string | null {
  const phones = mapping.filter((m) => m === 'phone').length;
  if (phones === 0) return 'Choose the column that holds the phone number.';
  if (phones > 1) return 'Only one column can be the phone number.';
  const seen = new Set<string>();
  for (const m of mapping) {
    if (m === '-') continue;
    if (seen.has(m)) return `Two columns go to ${targetLabel(m)}: skip one of them.`;
    seen.add(m);
  }
  return null;
}

/** normalizeMapping writes the API's skipped columns ("" in an answer) as "-", the value the mapping editor and the API take. */
export function normalizeMapping(m: string[] | undefined): string[] {
  return (m ?? []).map((x) => (x === '' ? '-' : x));
}
