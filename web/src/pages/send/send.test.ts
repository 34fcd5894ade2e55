import { describe, expect, it } from 'vitest';
import { campaignInput, chunks, needsCampaign, type Draft } from './send';
import { totalOf } from './Price';

const base: Draft = { numbers: ['+447700900001'], listIds: [], segmentIds: [], text: 'Hi', from: '', kind: 'marketing' };

describe('the send path', () => {
  it('sends plain texts to numbers directly and the rest as a campaign', () => {
    expect(needsCampaign(base)).toBe(false);
    expect(needsCampaign({ ...base, text: 'Hi {{first_name|there}}' })).toBe(true);
    expect(needsCampaign({ ...base, listIds: [3] })).toBe(true);
    expect(needsCampaign({ ...base, segmentIds: [7] })).toBe(true);
    expect(needsCampaign({ ...base, templateId: '42' })).toBe(true);
  });
  it('makes the campaign: a template or the text, the audience, the schedule', () => {
    const at = new Date('2026-12-07T10:00:00Z');
    expect(campaignInput({ ...base, listIds: [3], text: 'Hi {{first_name|there}}', from: 'Shop', sendAt: '2026-12-08T09:00:00Z' }, at)).toEqual({
      name: 'Send page 2026-12-07 10:00 UTC',
      kind: 'marketing',
      from: 'Shop',
      text: 'Hi {{first_name|there}}',
      audience: { numbers: ['+447700900001'], list_ids: [3], segment_ids: undefined },
      send_at: '2026-12-08T09:00:00Z',
    });
    const t = campaignInput({ ...base, numbers: [], segmentIds: [7], templateId: '42', kind: 'transactional' }, at);
    expect(t.template_id).toBe(42);
    expect(t.text).toBeUndefined();
    expect(t.from).toBeUndefined();
    expect(t.audience).toEqual({ numbers: undefined, list_ids: undefined, segment_ids: [7] });
  });
  it('cuts batches at the limit', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});

describe('totalOf', () => {
  it('adds per-segment prices times segments and names the unpriced', () => {
    const t = totalOf(['+44a', '+1b', '+99c'], [
      { perSegment: 35000, currency: 'EUR' },
      { perSegment: 10000, currency: 'EUR' },
      { notPriced: 'no price for 99' },
    ], 2);
    expect(t.total).toBe(90000);
    expect(t.notPriced).toEqual([{ to: '+99c', reason: 'no price for 99' }]);
    expect(t.extrapolated).toBe(false);
  });
  it('extrapolates past the priced numbers at their average', () => {
    const t = totalOf(['a', 'b', 'c', 'd'], [{ perSegment: 10000, currency: 'EUR' }, { perSegment: 30000, currency: 'EUR' }], 1);
    expect(t.extrapolated).toBe(true);
    expect(t.total).toBe(80000);
  });
  it('says when billing is off', () => {
    expect(totalOf(['a'], [{ off: true }], 1).billingOff).toBe(true);
  });
});
