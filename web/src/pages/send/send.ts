// Sending from the Send page. Typed or pasted numbers with a plain text go
// to POST /v1/messages (one) or POST /v1/messages/batch (10,000 at most a
// request); lists, segments, a template or personal fields need each
// recipient's contact, so they go through a campaign created with that
// audience and launched at once (or at send_at).
import { api, type Schemas } from '../../api/client';
import { toProblem, unwrap, type Problem } from '../../api/problem';

type CampaignInput = Schemas['CampaignInput'];
export type Campaign = Schemas['Campaign'];
export type Estimate = Schemas['CampaignEstimate'];

/** BATCH_LIMIT is the most messages one POST /v1/messages/batch takes (docs/api.md). */
export const BATCH_LIMIT = 10_000;
/** CAMPAIGN_NUMBERS_LIMIT is the most explicit numbers a campaign's audience takes. */
export const CAMPAIGN_NUMBERS_LIMIT = 10_000;

/** Draft is what the form says to send. */
export interface Draft {
  numbers: string[];
  listIds: number[];
  segmentIds: number[];
  text: string;
  /** A stored template sent as it is (its body not edited). */
  templateId?: string;
  from: string;
  /** RFC 3339, absent: now. */
  sendAt?: string;
  kind: 'marketing' | 'transactional';
}

/** hasPlaceholders tells whether a text holds personal fields ({{...}}). */
export function hasPlaceholders(text: string): boolean {
  return text.includes('{{');
}

/** needsCampaign tells whether a draft must go through a campaign (rendering per contact). */
export function needsCampaign(d: Draft): boolean {
  return d.listIds.length > 0 || d.segmentIds.length > 0 || d.templateId !== undefined || hasPlaceholders(d.text);
}

/** Accepted is a message the API took. */
export interface Accepted {
  to: string;
  id: string;
  segments: number;
  price?: number;
}

/** Outcome is what a send did. */
export type Outcome =
  | { kind: 'messages'; accepted: Accepted[]; refused: { to: string; problem: Problem }[] }
  | { kind: 'campaign'; campaign: Campaign };

/** newKey makes an Idempotency-Key, so a retried request never sends twice. */
export function newKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** chunks cuts xs into runs of at most n. */
export function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * sendDirect sends a plain text to numbers: one message, or batches. A
 * problem with the whole request is thrown (a ProblemError naming its
 * field); a number refused on its own is in refused with the API's reason.
 */
export async function sendDirect(d: Draft): Promise<Outcome> {
  const shared = { text: d.text, from: d.from || undefined, send_at: d.sendAt };
  if (d.numbers.length === 1) {
    const to = d.numbers[0];
    const r = unwrap(
      await api.POST('/v1/messages', {
        body: { to, ...shared, encoding: 'auto', flash: false, delivery_report: true },
        params: { header: { 'Idempotency-Key': newKey() } },
      }),
    );
    return { kind: 'messages', accepted: [{ to, id: r.id, segments: r.segments, price: r.price }], refused: [] };
  }
  const out: Outcome = { kind: 'messages', accepted: [], refused: [] };
  for (const part of chunks(d.numbers, BATCH_LIMIT)) {
    const r = unwrap(
      await api.POST('/v1/messages/batch', {
        body: { to: part, ...shared },
        params: { header: { 'Idempotency-Key': newKey() } },
      }),
    );
    r.items.forEach((item, i) => {
      const to = part[i];
      if ('error' in item) out.refused.push({ to, problem: toProblem(item.error) });
      else out.accepted.push({ to, id: item.id, segments: item.segments, price: item.price });
    });
  }
  return out;
}

/** campaignInput is the campaign a draft makes. */
export function campaignInput(d: Draft, now = new Date()): CampaignInput {
  const input: CampaignInput = {
    name: `Send page ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    kind: d.kind,
    audience: {
      numbers: d.numbers.length ? d.numbers : undefined,
      list_ids: d.listIds.length ? d.listIds : undefined,
      segment_ids: d.segmentIds.length ? d.segmentIds : undefined,
    },
    send_at: d.sendAt,
  };
  if (d.from) input.from = d.from;
  if (d.templateId !== undefined) input.template_id = Number(d.templateId);
  else input.text = d.text;
  return input;
}

/**
 * CampaignDrafts keeps the one draft campaign the page prices and launches:
 * made on the first estimate, changed when the form changes, launched on
 * send, so an estimate and the send that follows are the same campaign.
 */
export class CampaignDrafts {
  private id?: number;
  private body?: string;

  /**
   * ensure makes the draft for d and returns its id. When d changed since,
   * the old draft is deleted and a new one made (a PATCH keeps members left
   * out, such as a text replaced by a template).
   */
  async ensure(d: Draft): Promise<number> {
    const input = campaignInput(d);
    const body = JSON.stringify({ ...input, name: undefined });
    if (this.id !== undefined && body === this.body) return this.id;
    if (this.id !== undefined) {
      const old = this.id;
      this.id = undefined;
      await api.DELETE('/v1/campaigns/{id}', { params: { path: { id: old } } }); // best effort: a leftover draft is harmless
    }
    const c = unwrap(await api.POST('/v1/campaigns', { body: input, params: { header: { 'Idempotency-Key': newKey() } } }));
    this.id = c.id;
    this.body = body;
    return c.id;
  }

  /** estimate prices the draft for d. */
  async estimate(d: Draft): Promise<Estimate> {
    const id = await this.ensure(d);
    return unwrap(await api.POST('/v1/campaigns/{id}/estimate', { params: { path: { id } } }));
  }

  /** launch sends the draft for d now (or at its send_at); the next send starts a new draft. */
  async launch(d: Draft): Promise<Outcome> {
    const id = await this.ensure(d);
    const c = unwrap(
      await api.POST('/v1/campaigns/{id}/launch', { params: { path: { id }, header: { 'Idempotency-Key': newKey() } } }),
    );
    this.id = undefined;
    this.body = undefined;
    return { kind: 'campaign', campaign: c };
  }
}
