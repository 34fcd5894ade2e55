import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import { formatIn, offsetMs, rfc3339, scheduledInstant, scheduleProblem, timeZones, zonedInstant } from './schedule';

describe('zonedInstant', () => {
  it.each([
    [{ year: 2026, month: 7, day: 1, hour: 10, minute: 0 }, 'Europe/London', '2026-07-01T09:00:00Z'],
    [{ year: 2026, month: 12, day: 7, hour: 9, minute: 30 }, 'America/New_York', '2026-12-07T14:30:00Z'],
    [{ year: 2026, month: 12, day: 7, hour: 9, minute: 30 }, 'Asia/Kolkata', '2026-12-07T04:00:00Z'],
    [{ year: 2026, month: 1, day: 1, hour: 0, minute: 0 }, 'Pacific/Auckland', '2025-12-31T11:00:00Z'],
    [{ year: 2026, month: 3, day: 1, hour: 23, minute: 59 }, 'UTC', '2026-03-01T23:59:00Z'],
    // London skips 01:00-02:00 on 2026-03-29: read with the winter offset.
    [{ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }, 'Europe/London', '2026-03-29T01:30:00Z'],
    // 01:30 happens twice on 2026-10-25: the first, in summer time.
    [{ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }, 'Europe/London', '2026-10-25T00:30:00Z'],
  ])('%j in %s is %s', (wall, zone, want) => {
    expect(rfc3339(zonedInstant(wall, zone))).toBe(want);
  });
});

describe('zones', () => {
  it('knows offsets', () => {
    expect(offsetMs(Date.UTC(2026, 6, 1), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(offsetMs(Date.UTC(2026, 0, 1), 'UTC')).toBe(0);
  });
  it('lists zones with UTC and shows an instant in a zone', () => {
    const zs = timeZones();
    expect(zs).toContain('UTC');
    expect(zs).toContain('Europe/London');
    expect(new Set(zs).size).toBe(zs.length);
    expect(formatIn(new Date('2026-07-01T09:00:00Z'), 'Europe/London')).toMatch(/10:00/);
  });
});

describe('the form schedule', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const at = (wall: string, zone: string) => ({ later: true, when: dayjs(wall), zone });
  it('reads the picked wall time in the chosen zone, whatever the browser zone', () => {
    expect(rfc3339(scheduledInstant(at('2026-12-08T09:30', 'Asia/Tokyo'))!)).toBe('2026-12-08T00:30:00Z');
    expect(scheduledInstant({ later: false, when: dayjs('2026-12-08T09:30'), zone: 'UTC' })).toBeNull();
    expect(scheduledInstant({ later: true, when: null, zone: 'UTC' })).toBeNull();
  });
  it('checks send_at as the API does: ahead, at most 30 days', () => {
    expect(scheduleProblem({ later: false, when: null, zone: 'UTC' }, now)).toBeUndefined();
    expect(scheduleProblem({ later: true, when: null, zone: 'UTC' }, now)).toMatch(/Pick/);
    expect(scheduleProblem(at('2026-12-07T11:59', 'UTC'), now)).toMatch(/past/);
    expect(scheduleProblem(at('2026-12-08T09:30', 'UTC'), now)).toBeUndefined();
    expect(scheduleProblem(at('2027-01-06T12:00', 'UTC'), now)).toBeUndefined();
    expect(scheduleProblem(at('2027-01-06T12:01', 'UTC'), now)).toMatch(/30 days/);
  });
});
