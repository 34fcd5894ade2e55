// The Webhooks tab: point the account's callbacks at a receiver started
// here (the demo allows local receivers), send a message with the API
// key and see the attempts in Recent deliveries, signed with the
// account's secret; rotate the secret, see it once, and check that the
// next message's callbacks verify with the new secret only. The tab is
// screenshot and axe-checked on desktop and phone.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { apiCall, assert, axe, shot, signIn, waitFor } from '../harness.mjs';

/** receiver starts an HTTP server on 127.0.0.1 answering 204 and keeping what it got. */
async function receiver() {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ signature: String(req.headers['x-gallant-signature'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => {
      server.close(r);
      server.closeAllConnections();
    }),
  };
}

/** verifies checks X-Gallant-Signature "t=..,v1=.." as HMAC-SHA256 over "<t>.<body>" with secret. */
function verifies(delivery, secret) {
  const parts = Object.fromEntries(delivery.signature.split(',').map((kv) => kv.split('=')));
  if (!parts.t || !parts.v1) return false;
  const want = createHmac('sha256', secret).update(`${parts.t}.${delivery.body}`).digest();
  const have = Buffer.from(parts.v1, 'hex');
  return have.length === want.length && timingSafeEqual(have, want);
}

/** callbacksFor returns the deliveries whose body is about message id. */
function callbacksFor(got, id) {
  return got.filter((d) => {
    try {
      return JSON.parse(d.body).id === id;
    } catch {
      return false;
    }
  });
}

async function send(demo, text) {
  const m = await apiCall(demo, 'POST', '/v1/messages', { to: '+447700900123', from: 'Gallant', text });
  assert(typeof m.id === 'string' && m.id !== '', `the message has an id, got ${JSON.stringify(m)}`);
  return m.id;
}

export default async function ({ browser, demo }) {
  const oldSecret = demo.output().match(/signed with the secret "([^"]+)"/)?.[1];
  assert(oldSecret, 'the demo prints the webhook secret');
  const hook = await receiver();
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await signIn(page, demo, '/developers/webhooks');
    await page.getByRole('heading', { name: 'Developers', level: 1 }).waitFor();
    await page.getByText('No deliveries yet').waitFor();
    await page.getByLabel('Webhook URL').fill(hook.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: callbacks go to the new URL.').waitFor();

    // A message's callbacks reach the receiver, signed with the account's secret, and are listed.
    const first = await send(demo, 'webhook e2e one');
    await waitFor('a callback for the first message', async () => callbacksFor(hook.got, first).length > 0, 20_000);
    const firstCalls = callbacksFor(hook.got, first);
    assert(firstCalls.every((d) => verifies(d, oldSecret)), 'the first callbacks verify with the account secret');
    const grid = page.getByRole('grid', { name: 'Recent deliveries' });
    await grid.getByRole('gridcell', { name: first }).first().waitFor({ timeout: 20_000 });
    await grid.getByRole('gridcell', { name: '204' }).first().waitFor();
    await grid.getByRole('gridcell', { name: hook.url }).first().waitFor();
    await shot(page, 'flow-webhook-deliveries');

    // Rotate the secret: confirmed, shown once.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the webhook secret?' }).getByRole('button', { name: 'Rotate' }).click();
    const shown = page.getByRole('dialog', { name: 'New webhook secret' });
    await shown.getByText('it is shown this once').waitFor();
    const newSecret = await shown.getByRole('textbox', { name: 'Webhook secret' }).inputValue();
    assert(/^whsec_[A-Za-z0-9]{32}$/.test(newSecret) && newSecret !== oldSecret, `a new secret is shown, got "${newSecret}"`);
    await shot(page, 'flow-webhook-secret-rotated');
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });

    // The next message's callbacks verify with the new secret, not the old one.
    const second = await send(demo, 'webhook e2e two');
    await waitFor('a callback for the second message', async () => callbacksFor(hook.got, second).length > 0, 20_000);
    const secondCalls = callbacksFor(hook.got, second);
    assert(secondCalls.every((d) => verifies(d, newSecret)), 'the second callbacks verify with the new secret');
    assert(!secondCalls.some((d) => verifies(d, oldSecret)), 'the old secret no longer verifies');
    await grid.getByRole('gridcell', { name: second }).first().waitFor({ timeout: 20_000 });
    const audit = await apiCall(demo, 'GET', '/v1/webhooks/deliveries?limit=500');
    assert(audit.items.some((d) => d.message_id === second && d.status_code === 204), 'the API lists the second message');
    assert(errors.length === 0, `no console errors or CSP violations, got:\n${errors.join('\n')}`);
  } finally {
    await ctx.close();
  }

  // The tab with deliveries listed, on both sizes.
  const problems = [];
  try {
    for (const vp of [
      { name: 'desktop', width: 1440, height: 900 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      const c = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, bypassCSP: true });
      try {
        const p = await c.newPage();
        await signIn(p, demo, '/developers/webhooks');
        await p.getByRole('heading', { name: 'Recent deliveries' }).waitFor();
        if (vp.name === 'phone') await p.getByRole('list', { name: 'Recent deliveries' }).getByRole('listitem').first().waitFor();
        else await p.getByRole('grid', { name: 'Recent deliveries' }).getByRole('gridcell', { name: '204' }).first().waitFor();
        await shot(p, `developers-webhooks-${vp.name}`);
        for (const v of await axe(p, { include: ['main'] })) problems.push(`webhooks (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      } finally {
        await c.close();
      }
    }
  } finally {
    await hook.close();
  }
  assert(problems.length === 0, `axe:\n${problems.join('\n')}`);
}
