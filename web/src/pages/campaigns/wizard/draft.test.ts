import { describe, expect, it } from 'vitest';
import { newDraft, parseNumbers, toInput, validate, type Draft } from './draft';

function draft(over: Partial<Draft>): Draft {
  return { ...newDraft(), name: 'Spring', from: 'Shop', ...over };
}

describe('campaign wizard → API body', () => {
  it('sends a plain text campaign to lists, segments and numbers now', () => {
    const d = draft({ listIds: [3, 4], segmentIds: [7], numbers: '+447700900123\n+44 7700 900124, +447700900123', body: { source: 'text', text: 'Hi {{first_name|there}}', templateId: null } });
    expect(toInput(d)).toEqual({
      name: 'Spring',
      from: 'Shop',
      kind: 'marketing',
      audience: { list_ids: [3, 4], segment_ids: [7], numbers: ['+447700900123', '+447700900124'] },
      text: 'Hi {{first_name|there}}',
    });
  });

  it('uses a template instead of the text, and leaves out empty audience parts', () => {
    const body = toInput(draft({ listIds: [1], body: { source: 'template', text: 'ignored', templateId: 42 } }));
    expect(body.template_id).toBe(42);
    expect(body.text).toBeUndefined();
    expect(body.audience).toEqual({ list_ids: [1] });
  });

  it('turns the schedule into send_at (UTC), local_time and pacing', () => {
    const local = '2030-01-02T09:30';
    const body = toInput(draft({ listIds: [1], when: 'at', sendAt: local, localTime: '10:00', pacing: 'rate', maxRate: 25 }));
    expect(body.send_at).toBe(new Date(local).toISOString());
    expect(body.local_time).toBe('10:00');
    expect(body.max_rate).toBe(25);
    expect(body.spread_hours).toBeUndefined();
    const spread = toInput(draft({ listIds: [1], pacing: 'spread', spreadHours: 6 }));
    expect(spread.spread_hours).toBe(6);
    expect(spread.max_rate).toBeUndefined();
    expect(spread.send_at).toBeUndefined();
  });

  it('builds an A/B test with the window in seconds and no top-level text', () => {
    const body = toInput(
      draft({
        mode: 'ab',
        listIds: [1],
        testPercent: 30,
        metric: 'click',
        windowHours: 2,
        manualWinner: true,
        variants: [
          { source: 'text', text: 'A', templateId: null, split: 60 },
          { source: 'template', text: '', templateId: 9, split: 40 },
        ],
      }),
    );
    expect(body.text).toBeUndefined();
    expect(body.ab).toEqual({
      test_percent: 30,
      metric: 'click',
      window: 7200,
      manual: true,
      variants: [
        { split: 60, text: 'A' },
        { split: 40, template_id: 9 },
      ],
    });
  });

  it('builds a drip sequence on a list, without an audience, delays in seconds', () => {
    const body = toInput(
      draft({
        mode: 'drip',
        dripListId: 3,
        includeExisting: true,
        steps: [
          { source: 'text', text: 'Welcome', templateId: null, delay: 0, unit: 'hours', at: '' },
          { source: 'template', text: '', templateId: 42, delay: 3, unit: 'days', at: '10:00' },
        ],
      }),
    );
    expect(body.audience).toBeUndefined();
    expect(body.drip).toEqual({
      list_id: 3,
      include_existing: true,
      exit_on_reply: true,
      steps: [
        { delay: 0, text: 'Welcome' },
        { delay: 259200, at: '10:00', template_id: 42 },
      ],
    });
    expect(toInput(draft({ mode: 'drip', dripSource: 'segment', dripSegmentId: 7 })).drip?.segment_id).toBe(7);
  });
});

describe('campaign wizard validation', () => {
  it('asks for a name, a sender and an audience', () => {
    const p = validate(newDraft(), 'audience');
    expect(Object.keys(p).sort()).toEqual(['audience', 'from', 'name']);
    expect(validate(draft({ listIds: [1] }), 'audience')).toEqual({});
    expect(validate(draft({ numbers: '12ab' }), 'audience').numbers).toMatch(/not a number/);
    expect(validate(draft({ from: 'ABCDEFGHIJKL', listIds: [1] }), 'audience').from).toMatch(/11/);
    expect(validate(draft({ mode: 'drip' }), 'audience').drip).toBeDefined();
  });

  it('checks the message, the splits and the steps like the API', () => {
    expect(validate(draft({}), 'message').body).toBe('Write the message');
    expect(validate(draft({ body: { source: 'template', text: '', templateId: null } }), 'message').body).toBe('Pick a template');
    const ab = draft({ mode: 'ab', variants: [
      { source: 'text', text: 'A', templateId: null, split: 50 },
      { source: 'text', text: 'B', templateId: null, split: 40 },
    ] });
    expect(validate(ab, 'message').variants).toMatch(/90%/);
    ab.variants[1].split = 50;
    expect(validate(ab, 'message')).toEqual({});
    const drip = draft({ mode: 'drip', steps: [{ source: 'text', text: 'x', templateId: null, delay: 1, unit: 'hours', at: '25:00' }] });
    expect(validate(drip, 'message')['steps.0.at']).toBe('HH:MM');
  });

  it('checks the schedule', () => {
    expect(validate(draft({ when: 'at', sendAt: '' }), 'schedule').sendAt).toBeDefined();
    expect(validate(draft({ pacing: 'rate', maxRate: 0 }), 'schedule').maxRate).toBeDefined();
    expect(validate(draft({ pacing: 'spread', spreadHours: 400 }), 'schedule').spreadHours).toBeDefined();
    const soon = new Date(Date.now() + 86400_000).toISOString().slice(0, 16);
    expect(validate(draft({ when: 'at', sendAt: soon, localTime: '09:00' }), 'schedule')).toEqual({});
    expect(validate(draft({ when: 'at', sendAt: '2099-01-01T09:00' }), 'schedule').sendAt).toMatch(/year/);
  });

  it('splits pasted numbers and drops duplicates', () => {
    expect(parseNumbers('+1 (555) 010-0000;+15550100001\n\n+15550100000')).toEqual(['+15550100000', '+15550100001']);
  });
});

describe('review: where an API problem is fixed', () => {
  it('maps the field a problem names to its wizard step', async () => {
    const { stepOfField } = await import('./ReviewStep');
    expect(stepOfField('audience.numbers[3]')).toBe('audience');
    expect(stepOfField('drip.list_id')).toBe('audience');
    expect(stepOfField('drip.steps[1].at')).toBe('message');
    expect(stepOfField('ab.variants')).toBe('message');
    expect(stepOfField('template_id')).toBe('message');
    expect(stepOfField('send_at')).toBe('schedule');
    expect(stepOfField(undefined)).toBeUndefined();
  });
});
