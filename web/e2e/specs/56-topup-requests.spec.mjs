// Top-up requests: the demo customer asks for a top-up on Billing; the
// platform operator (the demo account has no reseller) sees it pending on
// the Operator page's accounts tab and tops the account up, which marks
// the request topped up; a second request is declined. Screenshots of
// both sides, axe-checked.
import { apiCall, assert, axe, shot, signIn, waitFor } from '../harness.mjs';

/** askAsCustomer asks for a top-up over the API with the demo user's session (the demo key has no admin scope). */
async function askAsCustomer(demo, body) {
  const login = await fetch(`${demo.base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo.email, password: demo.password }),
  });
  assert(login.ok, `login: ${login.status}`);
  const token = (await login.json()).access_token;
  const res = await fetch(`${demo.base}/v1/topup-requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert(res.status === 201, `ask: ${res.status} ${await res.text()}`);
}

async function ownRequests(demo) {
  return (await apiCall(demo, 'GET', '/v1/topup-requests?scope=own')).items;
}

export default async function ({ browser, demo }) {
  const m = demo.output().match(/Operator user\s+(\S+)\s+password\s+(\S+)/);
  assert(m, 'gallant demo prints an operator login');
  const operator = { base: demo.base, email: m[1], password: m[2] };
  const problems = [];
  const errors = [];

  // The customer asks twice.
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  try {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, demo, '/billing');
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    for (const [amount, note] of [
      ['25.50', 'for the May campaign'],
      ['3', 'decline me'],
    ]) {
      await page.getByRole('button', { name: 'Request a top-up' }).click();
      const dialog = page.getByRole('dialog', { name: 'Request a top-up' });
      await dialog.getByLabel(/^Amount/).fill(amount);
      await dialog.getByLabel('Note').fill(note);
      await dialog.getByRole('button', { name: 'Send request' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('grid', { name: 'Top-up requests' }).getByRole('gridcell', { name: note }).waitFor();
    }
    const asked = await ownRequests(demo);
    assert(asked.length === 2 && asked.every((r) => r.status === 'pending'), `two pending requests, got ${JSON.stringify(asked)}`);
    assert(asked.some((r) => r.amount === 25_500_000), 'the amount is sent in micro-units');
    await shot(page, 'flow-topup-requested');
    for (const v of await axe(page, { include: ['main'] })) problems.push(`billing: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
  } finally {
    await ctx.close();
  }

  // The operator tops up one and declines the other.
  const octx = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  try {
    const page = await octx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, operator, '/operator?tab=accounts');
    const grid = page.getByRole('grid', { name: 'Top-up requests' });
    await grid.getByRole('gridcell', { name: 'for the May campaign' }).waitFor();
    await shot(page, 'flow-topup-requests-operator');
    for (const v of await axe(page, { include: ['main'] })) problems.push(`operator: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
    const topRow = grid.getByRole('row', { name: /for the May campaign/ });
    await topRow.getByRole('button', { name: /^Top up / }).click();
    const topup = page.getByRole('dialog', { name: /^Top up / });
    await topup.getByLabel(/^Amount/).fill('25.50');
    await topup.getByLabel('Reference').fill('e2e request');
    await topup.getByRole('button', { name: 'Top up' }).click();
    await topup.waitFor({ state: 'detached' });
    await waitFor('the request to be topped up', async () => (await ownRequests(demo)).some((r) => r.note === 'for the May campaign' && r.status === 'topped_up'), 10_000);
    // Topping up resolved every pending request of the account: ask again to decline one.
    await askAsCustomer(demo, { amount: 1_000_000, note: 'decline me too' });
    await page.reload();
    const declineRow = grid.getByRole('row', { name: /decline me too/ });
    await declineRow.getByRole('button', { name: /^Decline/ }).click();
    await page.getByRole('dialog', { name: 'Decline this request?' }).getByRole('button', { name: 'Decline' }).click();
    await waitFor('the request to be declined', async () => (await ownRequests(demo)).some((r) => r.note === 'decline me too' && r.status === 'declined'), 10_000);
  } finally {
    await octx.close();
  }
  assert(errors.length === 0, `no page errors, got:\n${errors.join('\n')}`);
  assert(problems.length === 0, `axe:\n${problems.join('\n')}`);
}
