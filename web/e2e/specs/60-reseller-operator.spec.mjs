// The reseller's and the operator's desks. Setup through the API as the
// demo's platform admin ("Operator user", printed by gallant demo): a
// reseller account, funded, with a reseller login. Then, in the browser,
// the reseller creates a sub-account, tops it up from its own balance and
// sees its traffic in usage; the operator watches the demo carrier's bind
// (bound, its figures moving while messages are sent), suspends and
// reactivates that sub-account and reads both actions in its audit log.
import { assert, axe, shot, signIn, waitFor } from '../harness.mjs';

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function login(base, email, password) {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

/**
 * tour signs in as who and visits each path on a desktop and a phone:
 * screenshots, and no serious or critical axe-core violation.
 */
async function tour(browser, who, name, paths) {
  for (const [size, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const ctx = await browser.newContext({ viewport, bypassCSP: true });
    const page = await ctx.newPage();
    try {
      await signIn(page, who, paths[0]);
      for (const path of paths) {
        await page.goto(`${who.base}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await page.locator('.MuiSkeleton-root').first().waitFor({ state: 'detached' });
        const tag = path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-');
        await shot(page, `${name}-${tag}-${size}`);
        const v = await axe(page);
        assert(v.length === 0, `${path} on a ${size}: axe violations ${JSON.stringify(v, null, 1)}`);
      }
    } finally {
      await ctx.close();
    }
  }
}

/** watch collects the page's console errors and uncaught exceptions. */
function watch(page) {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export default async function ({ browser, demo }) {
  const m = demo.output().match(/Operator user\s+(\S+)\s+password\s+(\S+)/);
  assert(m, 'gallant demo prints an operator login');
  const operator = { base: demo.base, email: m[1], password: m[2] };
  const adminToken = await login(demo.base, operator.email, operator.password);

  const stamp = Date.now().toString(36);
  const made = await call(demo.base, adminToken, 'POST', '/v1/accounts', { name: `Resell ${stamp}`, kind: 'reseller' });
  await call(demo.base, adminToken, 'POST', `/v1/accounts/${made.account.id}/topups`, { amount: '50', reference: 'e2e funding' });
  const reseller = { base: demo.base, email: `reseller-${stamp}@example.com`, password: `reseller-pw-${stamp}` };
  await call(demo.base, adminToken, 'POST', `/v1/accounts/${made.account.id}/users`, { ...reseller, base: undefined, role: 'reseller' });

  const shop = `Shop ${stamp}`;
  let shopKey;
  const rctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const rpage = await rctx.newPage();
  try {
    await signIn(rpage, reseller, '/reseller');
    const rerrors = watch(rpage); // from here on: the sign-in's own probes are the frame's business
    await rpage.getByRole('heading', { name: 'Reseller' }).waitFor();
    // The operator's desk is not the reseller's.
    assert((await rpage.getByRole('navigation', { name: 'Main' }).first().getByText('Operator').count()) === 0, 'no Operator entry for a reseller');

    await rpage.getByRole('button', { name: 'New sub-account' }).click();
    const create = rpage.getByRole('dialog', { name: 'New sub-account' });
    await create.getByRole('button', { name: 'Create' }).click();
    await create.getByText('Enter a name').waitFor(); // checked before any call
    await create.getByLabel('Name').fill(shop);
    await create.getByRole('button', { name: 'Create' }).click();
    const ready = rpage.getByRole('dialog', { name: `${shop} is ready` });
    await ready.waitFor({ timeout: 15_000 });
    shopKey = (await ready.getByText(/^gal_/).first().textContent()).trim();
    assert(shopKey.startsWith('gal_'), `the new sub-account's API key is shown once, got ${shopKey}`);
    await ready.getByRole('button', { name: 'Done' }).click();

    await rpage.getByRole('button', { name: `Top up ${shop}` }).click();
    const topup = rpage.getByRole('dialog', { name: `Top up ${shop}` });
    await topup.getByLabel(/Amount/).fill('5.5x');
    await topup.getByRole('button', { name: 'Top up' }).click();
    await topup.getByText(/at most six decimals/).waitFor();
    await topup.getByLabel(/Amount/).fill('5');
    await topup.getByLabel('Reference').fill('e2e credit');
    await topup.getByRole('button', { name: 'Top up' }).click();
    await topup.waitFor({ state: 'detached' });
    await rpage.getByRole('row', { name: new RegExp(`${shop}.*5\\.00`) }).waitFor({ timeout: 15_000 });
    await rpage.getByText(/available to transfer .*45\.00/).waitFor(); // moved from the reseller's balance
    await shot(rpage, 'flow-reseller-accounts');

    // A price plan of the reseller's own.
    await rpage.getByRole('tab', { name: 'Plans' }).click();
    await rpage.getByRole('button', { name: 'New plan' }).click();
    const plan = rpage.getByRole('dialog', { name: 'New price plan' });
    await plan.getByLabel('Name').fill(`Retail ${stamp}`);
    await plan.getByRole('textbox', { name: 'Prefix 1' }).fill('44');
    await plan.getByRole('textbox', { name: 'Price 1' }).fill('0.05');
    await plan.getByRole('button', { name: 'Create plan' }).click();
    await plan.waitFor({ state: 'detached' });
    await rpage.getByRole('table', { name: `Prices of Retail ${stamp}` }).getByText('+44').waitFor();

    // The sub-account sends; its traffic shows in usage with the margin.
    await call(demo.base, shopKey, 'POST', '/v1/messages', { to: '+447700900124', from: 'Shop', text: 'From the sub-account' });
    await rpage.getByRole('tab', { name: 'Usage and margin' }).click();
    const usage = rpage.getByRole('table', { name: 'Usage per sub-account' });
    await usage.getByRole('row', { name: new RegExp(`${shop}\\s+1\\s+1`) }).waitFor({ timeout: 30_000 });
    await shot(rpage, 'flow-reseller-usage');
    assert(rerrors.length === 0, `reseller: no console errors, got:\n${rerrors.join('\n')}`);
  } finally {
    await rctx.close();
  }

  const octx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const opage = await octx.newPage();
  try {
    await signIn(opage, operator, '/operator');
    const oerrors = watch(opage);
    const carrier = opage.getByRole('region', { name: /^Carrier / }).first();
    await carrier.waitFor({ timeout: 15_000 });
    await carrier.getByText('bound', { exact: true }).first().waitFor();
    const acked = carrier.getByLabel(/^Acknowledged/);
    const rate = carrier.getByLabel(/^Submits per second/);
    const before = Number((await acked.textContent()).replace(/\D/g, ''));
    // Send while watching: the figures refresh every 2 s.
    let sent = 0;
    await waitFor('the live figures to move', async () => {
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          call(demo.base, demo.apiKey, 'POST', '/v1/messages', { to: `+1555010${String(sent + i).padStart(4, '0')}`, from: 'Gallant', text: 'live' }),
        ),
      );
      sent += 5;
      const now = Number((await acked.textContent()).replace(/\D/g, ''));
      const r = (await rate.textContent()).trim();
      return now > before && r !== '–' && r !== '0.0/s';
    }, 30_000, 500);
    await shot(opage, 'flow-operator-carriers');

    await opage.getByRole('tab', { name: 'Accounts' }).click();
    await opage.getByRole('button', { name: `Suspend ${shop}` }).click();
    await opage.getByRole('dialog', { name: `Suspend ${shop}?` }).getByRole('button', { name: 'Suspend' }).click();
    await opage.getByRole('button', { name: `Activate ${shop}` }).waitFor({ timeout: 15_000 });
    const refused = await fetch(`${demo.base}/v1/messages`, { headers: { Authorization: `Bearer ${shopKey}` } });
    assert(refused.status === 403, `a suspended account's key is refused, got ${refused.status}`);
    await opage.getByRole('button', { name: `Activate ${shop}` }).click();
    await opage.getByRole('dialog', { name: `Reactivate ${shop}?` }).getByRole('button', { name: 'Reactivate' }).click();
    await opage.getByRole('button', { name: `Suspend ${shop}` }).waitFor({ timeout: 15_000 });

    await opage.getByRole('button', { name: `Audit log of ${shop}` }).click();
    const log = opage.getByRole('grid', { name: /^Audit log of account/ });
    await log.getByRole('row', { name: /account\.suspend/ }).waitFor({ timeout: 15_000 });
    await log.getByRole('row', { name: /account\.reactivate/ }).waitFor();
    await shot(opage, 'flow-operator-audit');
    // Without an account: the whole platform's log, the reseller's own actions in it.
    await opage.getByLabel('Account id').fill('');
    const all = opage.getByRole('grid', { name: 'Audit log of the platform' });
    await all.getByRole('row', { name: /account\.reactivate/ }).waitFor({ timeout: 15_000 });
    await all.getByRole('row', { name: /balance\.topup/ }).first().waitFor();
    await opage.getByRole('tab', { name: 'Routes' }).click();
    await opage.getByRole('table', { name: 'Default routes' }).waitFor();
    assert(oerrors.length === 0, `operator: no console errors, got:\n${oerrors.join('\n')}`);
  } finally {
    await octx.close();
  }

  // Both desks at once (each on a desktop, then a phone): the spec has 120 s in all.
  await Promise.all([
    tour(browser, reseller, 'reseller', ['/reseller?tab=accounts', '/reseller?tab=plans', '/reseller?tab=usage']),
    tour(browser, operator, 'operator', ['/operator?tab=carriers', '/operator?tab=routes', '/operator?tab=buy-rates', '/operator?tab=accounts',
      '/operator?tab=audit']),
  ]);
}
