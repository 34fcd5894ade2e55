import { createHmac, timingSafeEqual } from 'node:crypto';

/** WebhookSignatureError says why a webhook request was refused. */
export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/**
 * verifyWebhook checks a webhook request the gateway signed: header is the
 * X-Gallant-Signature value ("t=<unix seconds>,v1=<hex>"), body the raw
 * request body. Some v1 value must be HMAC-SHA256(secret, "<t>.<body>") and
 * t within toleranceSeconds of now (a replayed request fails). It throws a
 * WebhookSignatureError, or returns the signed time.
 */
export function verifyWebhook(
  secret: string,
  header: string,
  body: string | Uint8Array,
  toleranceSeconds = 300,
  now: Date = new Date(),
): Date {
  if (!secret) throw new WebhookSignatureError('no webhook secret');
  let t: string | undefined;
  const sigs: Buffer[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't') t = v;
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) sigs.push(Buffer.from(v, 'hex'));
  }
  if (!t || !/^\d+$/.test(t) || sigs.length === 0) throw new WebhookSignatureError('malformed signature header');
  const signedAt = new Date(Number(t) * 1000);
  if (Math.abs(now.getTime() - signedAt.getTime()) > toleranceSeconds * 1000) {
    throw new WebhookSignatureError('signature timestamp outside tolerance');
  }
  const mac = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  if (!sigs.some((s) => s.length === mac.length && timingSafeEqual(s, mac))) {
    throw new WebhookSignatureError('signature mismatch');
  }
  return signedAt;
}
