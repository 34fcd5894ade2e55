// The SMPP credential form's checks, as the API makes them.

/** parseCidrs splits a text of addresses or ranges (commas, spaces or lines) into a list. */
export function parseCidrs(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** limitProblem checks a bind or TPS limit field: an integer from 0 (none) to max. */
export function limitProblem(v: string, max: number): string | undefined {
  if (v.trim() === '') return undefined;
  if (!/^\d+$/.test(v.trim())) return 'a whole number (0 for no limit)';
  const n = Number(v);
  return n > max ? `at most ${max.toLocaleString()}` : undefined;
}

/** systemIdProblem: a system_id has 1 to 15 characters. */
export function systemIdProblem(v: string): string | undefined {
  const n = v.trim().length;
  if (n === 0) return 'required';
  return n > 15 ? 'at most 15 characters' : undefined;
}

/** smppPasswordProblem: an SMPP password has at most 8 characters (empty: generated). */
export function smppPasswordProblem(v: string): string | undefined {
  return v.length > 8 ? 'at most 8 characters (SMPP passwords are short)' : undefined;
}
