// Figures of the operator's live views.

/** BindState is a carrier bind's state as the API gives it. */
export type BindState = 'bound' | 'connecting' | 'down';

/** bindColour is the chip colour of a bind state. */
export function bindColour(s: BindState): 'success' | 'warning' | 'error' {
  return s === 'bound' ? 'success' : s === 'connecting' ? 'warning' : 'error';
}

/** formatRate shows submits per second; null (not measured yet) is "–". */
export function formatRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  return `${r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString()}/s`;
}

/** fill is how full a queue or window is, in percent (0..100). */
export function fill(used: number, capacity: number): number {
  if (capacity <= 0) return 0;
  return Math.min(100, Math.max(0, (used / capacity) * 100));
}

/** forHowLong says how long ago since was, in the largest whole unit ("for 3 min"). */
export function forHowLong(since: string | null | undefined, now = Date.now()): string {
  if (!since) return '';
  const t = Date.parse(since);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `for ${s} s`;
  if (s < 3600) return `for ${Math.floor(s / 60)} min`;
  if (s < 86400) return `for ${Math.floor(s / 3600)} h`;
  return `for ${Math.floor(s / 86400)} d`;
}
