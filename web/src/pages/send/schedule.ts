// Scheduling on the Send page: a wall-clock time in a chosen time zone
// turned into the RFC 3339 instant the API's send_at takes.
import type { Dayjs } from 'dayjs';

/** Wall is a date and time on a clock, without a zone. */
export interface Wall {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** offsetMs is how far zone's clocks are ahead of UTC at instant t, in ms. */
export function offsetMs(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUTC = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUTC - Math.floor(t / 1000) * 1000;
}

/**
 * zonedInstant is the instant at which zone's clocks show wall. A time
 * skipped by a change to summer time is read with the offset before the
 * change (01:30 in London on the night clocks skip 01:00 to 02:00 is
 * 02:30 summer time); a time that happens twice, at its first occurrence.
 */
export function zonedInstant(wall: Wall, zone: string): Date {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetMs(guess - 86_400_000, zone);
  const after = offsetMs(guess + 86_400_000, zone);
  // Try the two offsets around the date; keep the first that shows the wall time.
  for (const off of [before, after]) {
    const t = guess - off;
    if (offsetMs(t, zone) === off) return new Date(t);
  }
  return new Date(guess - before);
}

/** rfc3339 writes an instant as the API takes it, in UTC ("2026-12-07T09:30:00Z"). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** browserZone is the browser's own time zone. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** timeZones lists the zones the browser knows, the browser's own and UTC first among them. */
export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return Array.from(new Set([browserZone(), 'UTC', ...all]));
}

/** formatIn shows instant d as zone's clocks show it, with the zone's short name. */
export function formatIn(d: Date, zone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short',
  }).format(d);
}

/** ScheduleValue is the schedule as the form holds it. */
export interface ScheduleValue {
  later: boolean;
  /** The wall-clock date and time picked (read in zone, whatever the picker's own zone). */
  when: Dayjs | null;
  zone: string;
}

/** MAX_AHEAD_MS is how far ahead the API lets a message wait: 30 days. */
export const MAX_AHEAD_MS = 30 * 24 * 3600_000;

/** scheduledInstant is the instant a schedule means, or null for now or an incomplete one. */
export function scheduledInstant(s: ScheduleValue): Date | null {
  if (!s.later || !s.when || !s.when.isValid()) return null;
  return zonedInstant(
    { year: s.when.year(), month: s.when.month() + 1, day: s.when.date(), hour: s.when.hour(), minute: s.when.minute() },
    s.zone,
  );
}

/** scheduleProblem is what is wrong with a schedule, checked as the API checks send_at. */
export function scheduleProblem(s: ScheduleValue, now = Date.now()): string | undefined {
  if (!s.later) return undefined;
  const t = scheduledInstant(s);
  if (!t) return 'Pick a date and time';
  if (t.getTime() <= now) return 'The time is in the past';
  if (t.getTime() - now > MAX_AHEAD_MS) return 'At most 30 days ahead';
  return undefined;
}
