import { useEffect, useState } from 'react';

/** saveBlob hands a downloaded body to the browser as a file named name. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** useDebounced is value once it has stopped changing for ms (typing in a search or an editor). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

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
