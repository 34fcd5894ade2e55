// The create wizard's state and its translation into the API's CampaignInput.
// Pure functions: tested in draft.test.ts.
import type { Schemas } from '../../../api/client';

type CampaignInput = Schemas['CampaignInput'];

/** Body is what a message (or variant, or step) says: a text or a template. */
export interface Body {
  source: 'text' | 'template';
  text: string;
  templateId: number | null;
}

export interface Variant extends Body {
  split: number;
}

export interface DripStep extends Body {
  /** Wait after the contact's entry, in unit. */
  delay: number;
  unit: 'minutes' | 'hours' | 'days';
  /** HH:MM in the recipient's time, or "". */
  at: string;
}

export type Mode = 'single' | 'ab' | 'drip';

/** Draft is everything the wizard asks, as typed by the user. */
export interface Draft {
  name: string;
  from: string;
  kind: 'marketing' | 'transactional';
  mode: Mode;
  // Audience (single and A/B).
  listIds: number[];
  segmentIds: number[];
  /** Numbers as pasted: one per line, or separated by commas or spaces. */
  numbers: string;
  // Message.
  body: Body;
  variants: Variant[];
  testPercent: number;
  metric: 'delivery' | 'click' | 'reply';
  /** Hours after the test group is sent. */
  windowHours: number;
  manualWinner: boolean;
  // Drip.
  dripSource: 'list' | 'segment';
  dripListId: number | null;
  dripSegmentId: number | null;
  includeExisting: boolean;
  exitOnReply: boolean;
  steps: DripStep[];
  // Schedule.
  when: 'now' | 'at';
  /** Local date-time as a datetime-local input gives it (YYYY-MM-DDTHH:MM), in the browser's zone. */
  sendAt: string;
  /** HH:MM of each recipient's own time zone, or "". */
  localTime: string;
  pacing: 'none' | 'rate' | 'spread';
  maxRate: number;
  spreadHours: number;
}

const emptyBody: Body = { source: 'text', text: '', templateId: null };

/** newDraft is the wizard's starting state. */
export function newDraft(): Draft {
  return {
    name: '',
    from: '',
    kind: 'marketing',
    mode: 'single',
    listIds: [],
    segmentIds: [],
    numbers: '',
    body: { ...emptyBody },
    variants: [
      { ...emptyBody, split: 50 },
      { ...emptyBody, split: 50 },
    ],
    testPercent: 20,
    metric: 'delivery',
    windowHours: 1,
    manualWinner: false,
    dripSource: 'list',
    dripListId: null,
    dripSegmentId: null,
    includeExisting: false,
    exitOnReply: true,
    steps: [{ ...emptyBody, delay: 0, unit: 'hours', at: '' }],
    when: 'now',
    sendAt: '',
    localTime: '',
    pacing: 'none',
    maxRate: 50,
    spreadHours: 4,
  };
}

/** parseNumbers splits pasted numbers on new lines, commas, semicolons and spaces between numbers. */
export function parseNumbers(s: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of s.split(/[\n,;\t]+/)) {
    const n = raw.replace(/[\s().-]/g, '');
    if (n && !seen.has(n)) {
      seen.add(n);
      out.push(n);
    }
  }
  return out;
}

const unitSeconds = { minutes: 60, hours: 3600, days: 86400 } as const;

function bodyFields(b: Body): { text?: string; template_id?: number } {
  return b.source === 'template' ? { template_id: b.templateId ?? 0 } : { text: b.text };
}

/** toInput turns the draft into the body of POST /v1/campaigns. */
export function toInput(d: Draft): CampaignInput {
  const out: CampaignInput = { name: d.name.trim(), from: d.from.trim(), kind: d.kind };
  if (d.mode === 'drip') {
    out.drip = {
      ...(d.dripSource === 'list' ? { list_id: d.dripListId ?? 0 } : { segment_id: d.dripSegmentId ?? 0 }),
      include_existing: d.includeExisting,
      exit_on_reply: d.exitOnReply,
      steps: d.steps.map((s) => ({
        delay: Math.round(s.delay * unitSeconds[s.unit]),
        ...(s.at ? { at: s.at } : {}),
        ...bodyFields(s),
      })),
    };
    return out;
  }
  const numbers = parseNumbers(d.numbers);
  out.audience = {
    ...(d.listIds.length ? { list_ids: d.listIds } : {}),
    ...(d.segmentIds.length ? { segment_ids: d.segmentIds } : {}),
    ...(numbers.length ? { numbers } : {}),
  };
  if (d.mode === 'ab') {
    out.ab = {
      test_percent: d.testPercent,
      metric: d.metric,
      window: Math.round(d.windowHours * 3600),
      ...(d.manualWinner ? { manual: true } : {}),
      variants: d.variants.map((v) => ({ split: v.split, ...bodyFields(v) })),
    };
  } else {
    Object.assign(out, bodyFields(d.body));
  }
  if (d.when === 'at' && d.sendAt) {
    const t = new Date(d.sendAt);
    if (!Number.isNaN(t.getTime())) out.send_at = t.toISOString();
  }
  if (d.localTime) out.local_time = d.localTime;
  if (d.pacing === 'rate') out.max_rate = d.maxRate;
  if (d.pacing === 'spread') out.spread_hours = d.spreadHours;
  return out;
}

/** Step is one page of the wizard. */
export type Step = 'audience' | 'message' | 'schedule' | 'review';

/** Problems maps a field of the wizard to what is wrong with it. */
export type Problems = Record<string, string>;

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

function checkBody(b: Body, key: string, p: Problems) {
  if (b.source === 'template' ? !b.templateId : !b.text.trim()) {
    p[key] = b.source === 'template' ? 'Pick a template' : 'Write the message';
  } else if (b.source === 'text' && new TextEncoder().encode(b.text).length > 2000) {
    p[key] = 'At most 2,000 bytes';
  }
}

/**
 * validate checks one step of the draft as the API would, so the user
 * hears of a mistake on the page where it is made. The API stays the
 * judge: what it refuses is shown on the review page.
 */
export function validate(d: Draft, step: Step): Problems {
  const p: Problems = {};
  if (step === 'audience') {
    if (!d.name.trim()) p.name = 'Give the campaign a name';
    else if (new TextEncoder().encode(d.name).length > 200) p.name = 'At most 200 bytes';
    if (!d.from.trim()) p.from = 'Give the sender (a number or a name of up to 11 characters)';
    else if (/[^0-9+]/.test(d.from.trim()) && d.from.trim().length > 11) p.from = 'An alphanumeric sender has at most 11 characters';
    if (d.mode === 'drip') {
      if (d.dripSource === 'list' ? !d.dripListId : !d.dripSegmentId) p.drip = 'Pick the list or segment whose new members enter the sequence';
    } else {
      const n = parseNumbers(d.numbers);
      if (!d.listIds.length && !d.segmentIds.length && !n.length) p.audience = 'Pick at least one list, segment or number';
      if (d.listIds.length > 50) p.lists = 'At most 50 lists';
      if (d.segmentIds.length > 50) p.segments = 'At most 50 segments';
      if (n.length > 10_000) p.numbers = 'At most 10,000 numbers: put more in a list';
      const bad = n.find((x) => !/^\+?\d{7,15}$/.test(x));
      if (bad) p.numbers = `"${bad}" is not a number in international form (7 to 15 digits)`;
    }
  }
  if (step === 'message') {
    if (d.mode === 'single') checkBody(d.body, 'body', p);
    if (d.mode === 'ab') {
      if (d.variants.length < 2 || d.variants.length > 5) p.variants = 'An A/B test has 2 to 5 variants';
      d.variants.forEach((v, i) => {
        checkBody(v, `variants.${i}`, p);
        if (!Number.isInteger(v.split) || v.split < 1 || v.split > 99) p[`variants.${i}.split`] = '1 to 99';
      });
      const sum = d.variants.reduce((a, v) => a + (v.split || 0), 0);
      if (sum !== 100) p.variants = `The splits add up to ${sum}%, not 100%`;
      if (!Number.isInteger(d.testPercent) || d.testPercent < 1 || d.testPercent > 100) p.testPercent = '1 to 100 percent of the audience';
      if (!(d.windowHours >= 0) || d.windowHours > 168) p.windowHours = '0 to 168 hours (a week)';
    }
    if (d.mode === 'drip') {
      if (d.steps.length < 1 || d.steps.length > 10) p.steps = 'A sequence has 1 to 10 steps';
      d.steps.forEach((s, i) => {
        checkBody(s, `steps.${i}`, p);
        if (!(s.delay >= 0) || s.delay * unitSeconds[s.unit] > 366 * 86400) p[`steps.${i}.delay`] = '0 to a year';
        if (s.at && !hhmm.test(s.at)) p[`steps.${i}.at`] = 'HH:MM';
      });
    }
  }
  if (step === 'schedule' && d.mode !== 'drip') {
    if (d.when === 'at') {
      const t = new Date(d.sendAt).getTime();
      if (!d.sendAt || Number.isNaN(t)) p.sendAt = 'Pick a date and time';
      else if (t > Date.now() + 365 * 86400_000) p.sendAt = 'At most a year ahead';
    }
    if (d.localTime && !hhmm.test(d.localTime)) p.localTime = 'HH:MM';
    if (d.pacing === 'rate' && !(d.maxRate > 0 && d.maxRate <= 10_000)) p.maxRate = '1 to 10,000 messages a second';
    if (d.pacing === 'spread' && !(d.spreadHours > 0 && d.spreadHours <= 336)) p.spreadHours = 'Up to 336 hours';
  }
  return p;
}
