// Tests of the TypeScript SDK against a running gateway (sdk/test.sh starts
// `gallant demo` and sets GALLANT_SDK_TEST_URL, GALLANT_SDK_TEST_KEY and
// GALLANT_SDK_TEST_WEBHOOK_SECRET, the webhook secret the demo prints).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createGallantClient, GallantError, must, verifyWebhook, WebhookSignatureError } from '../dist/index.js';

const url = process.env.GALLANT_SDK_TEST_URL;
const key = process.env.GALLANT_SDK_TEST_KEY;
const secret = process.env.GALLANT_SDK_TEST_WEBHOOK_SECRET;
if (!url || !key || !secret) {
  throw new Error('GALLANT_SDK_TEST_URL, GALLANT_SDK_TEST_KEY and GALLANT_SDK_TEST_WEBHOOK_SECRET are not set: run sdk/test.sh, which starts a demo gateway');
}
const gallant = createGallantClient(url, key);

async function eventually(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a message is sent and reaches delivered', async () => {
  const sent = must(await gallant.POST('/v1/messages', { body: { to: '+447700900123', from: 'Gallant', text: 'Hello from TypeScript' } }));
  assert.match(sent.id, /^\d+$/);
  const done = await eventually('delivered', async () => {
    const m = must(await gallant.GET('/v1/messages/{id}', { params: { path: { id: sent.id } } }));
    return m.status === 'delivered' ? m : null;
  });
  assert.equal(done.to, '+447700900123');
  assert.ok(done.history.some((e) => e.status === 'delivered'));
});

test('a refused request throws the problem with its field', async () => {
  await assert.rejects(
    async () => must(await gallant.POST('/v1/messages', { body: { to: 'nope', text: 'x' } })),
    (e) => e instanceof GallantError && e.problem.status === 400 && e.problem.field === 'to',
  );
});

test('a real webhook delivery verifies, and a tampered one does not', async () => {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ sig: req.headers['x-gallant-signature'], body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = server.address().port;
    must(await gallant.POST('/v1/messages', {
      body: { to: '+447700900124', text: 'webhook please', callback_url: `http://127.0.0.1:${port}/hook` },
    }));
    const first = await eventually('a webhook delivery', () => got[0]);
    const at = verifyWebhook(secret, first.sig, first.body);
    assert.ok(Math.abs(at.getTime() - Date.now()) < 60_000);
    const tampered = Buffer.from(first.body.toString().replace('"', ' "'));
    assert.throws(() => verifyWebhook(secret, first.sig, tampered), WebhookSignatureError);
    assert.throws(() => verifyWebhook('whsec_wrong', first.sig, first.body), WebhookSignatureError);
    assert.throws(() => verifyWebhook(secret, first.sig, first.body, 300, new Date(Date.now() + 3_600_000)), (e) => e.reason === 'expired');
  } finally {
    server.close();
  }
});
