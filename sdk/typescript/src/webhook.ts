import { createHmac, timingSafeEqual } from 'node:crypto';

/** WebhookSignatureError says why a webhook request was refused: reason is one of the values below. */
export class WebhookSignatureError extends Error {
  readonly reason: 'no-secret' | 'bad-header' | 'mismatch' | 'expired';
  constructor(reason: WebhookSignatureError['reason'], message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
    this.reason = reason;
  }
}

/** DEFAULT_TOLERANCE_SECONDS is how far a signed time may be from now by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

// The gateway trims with Go's unicode.IsSpace; String.prototype.trim differs
// (it keeps U+0085 and removes U+FEFF), so trim the same set here.
const goSpace = /^[\t\n\v\f\r \u0085\u00a0\p{Z}]+|[\t\n\v\f\r \u0085\u00a0\p{Z}]+$/gu;

/**
 * verifyWebhook checks a webhook request the gateway signed: header is the
 * X-Gallant-Signature value ("t=<unix seconds>,v1=<hex>"), body the raw
 * request body. Some v1 value must be HMAC-SHA256(secret, "<t>.<body>")
 * (several are accepted while a secret is rotated), compared in constant
 * time, and t within toleranceSeconds of now in either direction (0 or less:
 * the default, 300 s), so a replayed request fails. It follows the gateway's
 * own verifier rule for rule. It throws a WebhookSignatureError, or returns
 * the signed time.
 */
export function verifyWebhook(
  secret: string,
  header: string,
  body: string | Uint8Array,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now: Date = new Date(),
): Date {
  if (!secret) throw new WebhookSignatureError('no-secret', 'no webhook secret');
  const bad = (why: string) => new WebhookSignatureError('bad-header', `malformed signature header: ${why}`);
  if (Buffer.byteLength(header ?? '') > 1024) throw bad('longer than 1024 bytes');
  let ts = '';
  const macs: Buffer[] = [];
  for (const part of (header ?? '').split(',')) {
    const kv = part.replace(goSpace, '');
    const eq = kv.indexOf('=');
    if (eq < 0) throw bad(`"${part}" is not key=value`);
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    if (k === 't') {
      if (ts !== '') throw bad('repeated t');
      if (v === '') throw bad('empty t');
      ts = v;
    } else if (k === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(v)) throw bad('v1 is not 32 hex bytes');
      macs.push(Buffer.from(v, 'hex'));
    }
    // Other schemes are skipped, so a later v2 can sit beside v1.
  }
  if (ts === '') throw bad('no t');
  if (macs.length === 0) throw bad('no v1');
  if (!/^[+-]?\d+$/.test(ts) || ts.length > 12 || Number(ts) < 0) throw bad(`t "${ts}" is not unix seconds`);
  const sec = Number(ts);
  const want = createHmac('sha256', secret).update(`${ts}.`).update(body).digest();
  let ok = false;
  for (const m of macs) if (timingSafeEqual(m, want)) ok = true;
  if (!ok) throw new WebhookSignatureError('mismatch', 'signature mismatch');
  const tolerance = toleranceSeconds > 0 ? toleranceSeconds : DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(Math.floor(now.getTime() / 1000) - sec) > tolerance) {
    throw new WebhookSignatureError('expired', `signed at ${sec}, now ${Math.floor(now.getTime() / 1000)}: outside tolerance`);
  }
  return new Date(sec * 1000);
}
