/** plusPhone shows a stored phone (E.164 digits) with its '+'. */
export function plusPhone(p: string | undefined): string {
  if (!p) return '';
  return p.startsWith('+') ? p : `+${p}`;
}

/** splitNumbers reads numbers typed or pasted one a line, or separated by commas or semicolons. */
export function splitNumbers(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
