// The gateway's own signer and verifier made these vectors
// (go run ./sdk/testdata/signfixture); the SDK's verifier must agree on each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyWebhook, WebhookSignatureError } from '../dist/index.js';

const path = process.env.GALLANT_SDK_TEST_FIXTURES || new URL('../../testdata/webhook-fixtures.json', import.meta.url).pathname;
const vectors = JSON.parse(readFileSync(path, 'utf8'));

test('the gateway signature vectors', () => {
  assert.ok(vectors.length >= 20);
  for (const v of vectors) {
    let got = 'ok';
    try {
      verifyWebhook(v.secret, v.header, Buffer.from(v.body, 'base64'), v.tolerance, new Date(v.now * 1000));
    } catch (e) {
      assert.ok(e instanceof WebhookSignatureError, `${v.name}: ${e}`);
      got = e.reason;
    }
    assert.equal(got, v.want, v.name);
  }
});
