import { describe, expect, it } from 'vitest';
import { describeErrorCode, explainErrorCode } from './errorCodes';
import { dayRange, exportName, isFiltered, localMidnight, queryFromParams, rangeError } from './filters';
import { bySegment } from './history';

describe('error codes', () => {
  it('explains SMPP statuses, receipt errors and the gateway’s own', () => {
    expect(explainErrorCode('0x45')).toEqual({ code: '0x45', source: 'smpp', name: 'ESME_RSUBMITFAIL', meaning: 'the carrier refused the submission' });
    expect(explainErrorCode('0x58').name).toBe('ESME_RTHROTTLED');
    expect(explainErrorCode('001').meaning).toMatch(/unknown subscriber/);
    expect(explainErrorCode('027').meaning).toMatch(/absent subscriber/);
    expect(explainErrorCode('no-route')).toMatchObject({ source: 'gateway', meaning: 'no carrier route for this destination' });
    expect(explainErrorCode('0x9999')).toEqual({ code: '0x9999', source: 'smpp' });
    expect(describeErrorCode('0x0b')).toBe('0x0b ESME_RINVDSTADR: invalid destination address');
    expect(describeErrorCode('777')).toBe('777 (receipt error, not a common code)');
  });
});

describe('filters', () => {
  it('reads the URL into the API query, leaving unset filters out', () => {
    const q = queryFromParams(new URLSearchParams('status=failed&to=%2B447700900123&sender=+Shop+&campaign=12&first=2026-05-01&last=2026-05-31'));
    expect(q).toMatchObject({ status: 'failed', to: '+447700900123', sender: 'Shop', campaign: 12 });
    expect(q.from).toBe(localMidnight('2026-05-01')!.toISOString());
    expect(q.until).toBe(localMidnight('2026-06-01')!.toISOString());
    expect(queryFromParams(new URLSearchParams('campaign=x&status='))).toEqual({});
    expect(isFiltered({})).toBe(false);
    expect(isFiltered({ sender: 'Shop' })).toBe(true);
  });

  it('takes a day range open at either end, and refuses a reversed one', () => {
    expect(dayRange('', '')).toEqual({});
    expect(Object.keys(dayRange('2026-05-01', ''))).toEqual(['from']);
    expect(Object.keys(dayRange('', '2026-05-01'))).toEqual(['until']);
    expect(rangeError('2026-05-02', '2026-05-01')).toMatch(/before/);
    expect(rangeError('2026-02-30', '')).toBe('Not a date.');
    expect(rangeError('2026-05-01', '2026-05-01')).toBeNull();
    // A reversed range filters nothing by date rather than everything wrongly.
    expect(queryFromParams(new URLSearchParams('first=2026-05-02&last=2026-05-01'))).toEqual({});
  });

  it('spans a day even across a clock change', () => {
    const r = dayRange('2026-03-29', '2026-03-29');
    const hours = (Date.parse(r.until!) - Date.parse(r.from!)) / 3_600_000;
    expect([23, 24, 25]).toContain(hours);
  });

  it('names the export by date', () => {
    expect(exportName(new Date(2026, 11, 7, 23, 59))).toBe('messages-2026-12-07.csv');
  });
});

describe('receipt history', () => {
  it('groups events per segment in order, message-level events apart', () => {
    const h = [
      { status: 'accepted', at: '2026-05-01T09:30:00Z' },
      { status: 'submitted', at: '2026-05-01T09:30:01Z', segment: 2 },
      { status: 'submitted', at: '2026-05-01T09:30:01Z', segment: 1 },
      { status: 'delivered', at: '2026-05-01T09:30:03Z', segment: 1, error_code: '000' },
      { status: 'undelivered', at: '2026-05-01T09:30:04Z', segment: 2, error_code: '001' },
    ] as const;
    const g = bySegment([...h]);
    expect(g.map((s) => s.segment)).toEqual([0, 1, 2]);
    expect(g[1].events.map((e) => e.status)).toEqual(['submitted', 'delivered']);
    expect(g[2].events[1].error_code).toBe('001');
  });
});
