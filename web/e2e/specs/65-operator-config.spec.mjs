// Configuration through the API, and data-subject requests, as the demo's
// platform admin ("Operator user"), in the browser: create a carrier (its
// form checked before any call), see it running within seconds without a
// restart, edit it, route a prefix to it, see both listed, be refused
// deleting a carrier a route names, remove the route and delete the
// carrier (it leaves the live status); give an account its own
// route from the accounts grid; add and delete a buy rate. Then send a
// message to a number, export what is held about it (the JSON file), erase
// it, see the request listed and the message's number redacted in Messages.
// Last, a reseller routes a sub-account: a carrier the platform does not
// offer is refused (the problem shown), an offered one is saved.
import { readFileSync } from 'node:fs';
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

/** watch collects the page's console errors and uncaught exceptions, but the failed calls a test provokes. */
function watch(page) {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && !/status of (400|409)/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** accessible fails on serious or critical axe-core violations of the page as it is. */
async function accessible(page, what) {
  const v = await axe(page);
  assert(v.length === 0, `${what}: axe violations ${JSON.stringify(v, null, 1)}`);
}

/** session opens a desktop browser signed in as who at path. */
async function session(browser, who, path) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  const page = await ctx.newPage();
  await signIn(page, who, path);
  return { ctx, page, errors: watch(page) };
}

/** openDefaultRoutes opens the default routes' editor on the Routes tab. */
async function openDefaultRoutes(page) {
  await page.getByRole('tab', { name: 'Routes' }).click();
  const edit = page.getByRole('button', { name: 'Edit default routes' });
  await waitFor('the routes to load', () => edit.isEnabled(), 15_000);
  await edit.click();
  const dialog = page.getByRole('dialog', { name: 'Default routes' });
  await dialog.waitFor();
  return dialog;
}

/** addRoute adds a route for prefix to carrier in the open plan editor and saves it. */
async function addRoute(page, dialog, n, prefix, carrier) {
  await dialog.getByRole('button', { name: 'Add a route' }).click();
  await dialog.getByRole('textbox', { name: `Prefix of route ${n}` }).fill(prefix);
  await dialog.getByRole('combobox', { name: `Carrier 1 of route ${n}` }).click();
  await page.getByRole('option', { name: carrier, exact: true }).click();
  await dialog.getByRole('button', { name: 'Save routes' }).click();
}

export default async function ({ browser, demo }) {
  const m = demo.output().match(/Operator user\s+(\S+)\s+password\s+(\S+)/);
  assert(m, 'gallant demo prints an operator login');
  const operator = { base: demo.base, email: m[1], password: m[2] };
  const name = `e2e-${Date.now().toString(36)}`;

  // A carrier: the form checks it first, then it is created and edited.
  let s = await session(browser, operator, '/operator');
  try {
    const { page } = s;
    await page.getByRole('button', { name: 'New carrier' }).click();
    const create = page.getByRole('dialog', { name: 'New carrier' });
    await create.getByRole('button', { name: 'Create carrier' }).click();
    await create.getByText('1 to 64 letters, digits, -, _ or .').waitFor(); // checked before any call
    await create.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await create.getByRole('textbox', { name: 'Address' }).fill('127.0.0.1:9');
    await create.getByRole('textbox', { name: 'System id' }).fill('e2e');
    await create.getByLabel('Password').fill('pw');
    await create.getByRole('textbox', { name: 'Segments per second' }).fill('5');
    await accessible(page, 'the new carrier dialog');
    await create.getByRole('button', { name: 'Create carrier' }).click();
    await create.waitFor({ state: 'detached' });
    const stored = page.getByRole('table', { name: 'Stored carriers' });
    const row = stored.getByRole('row', { name: new RegExp(`${name}.*127\\.0\\.0\\.1:9`) });
    await row.waitFor({ timeout: 15_000 });
    await page.getByRole('region', { name: `Carrier ${name}` }).waitFor({ timeout: 15_000 }); // running, without a restart
    assert((await row.getByText('not applied').count()) === 0, 'the new carrier is applied');

    await page.getByRole('button', { name: `Edit carrier ${name}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit carrier ${name}` });
    await edit.getByText('Leave blank to keep the stored one').waitFor(); // the password is never shown
    await edit.getByRole('textbox', { name: 'Segments per second' }).fill('7');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await stored.getByRole('row', { name: new RegExp(`${name}.*window 10\\s*7\\b`) }).waitFor({ timeout: 15_000 });
    const token = await login(demo.base, operator.email, operator.password);
    const after = await call(demo.base, token, 'GET', `/v1/carriers/${name}`);
    assert(after.tps === 7 && after.password_set === true, `the edit kept the password: ${JSON.stringify(after)}`);
    await shot(page, 'flow-operator-carrier-created');
    assert(s.errors.length === 0, `no console errors, got:\n${s.errors.join('\n')}`);
  } finally {
    await s.ctx.close();
  }

  s = await session(browser, operator, '/operator?tab=routes');
  try {
    const { page } = s;
    // The validation of the plan, then the route saved and listed.
    let dialog = await openDefaultRoutes(page);
    await dialog.getByRole('button', { name: 'Add a route' }).click();
    await dialog.getByRole('textbox', { name: 'Prefix of route 2' }).fill('44x');
    await dialog.getByRole('button', { name: 'Save routes' }).click();
    await dialog.getByText('Up to 15 digits (empty: every number)').waitFor();
    await dialog.getByText('Choose a carrier').waitFor();
    await dialog.getByRole('button', { name: 'Remove route 2' }).click();
    await addRoute(page, dialog, 2, '+4477', name);
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    const routes = page.getByRole('table', { name: 'Default routes' });
    await routes.getByRole('row', { name: new RegExp(`\\+4477.*${name} \\(priority 0, weight 1\\)`) }).waitFor({ timeout: 15_000 });
    await shot(page, 'flow-operator-routes');

    // Both listed on the carriers tab; a carrier a route names cannot go.
    await page.getByRole('tab', { name: 'Carriers' }).click();
    await page.getByRole('table', { name: 'Stored carriers' }).getByRole('row', { name: new RegExp(name) }).waitFor();
    await page.getByRole('region', { name: `Carrier ${name}` }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: `Delete carrier ${name}` }).click();
    let confirm = page.getByRole('dialog', { name: `Delete carrier ${name}?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('alert').getByText(/routes still name this carrier/).waitFor({ timeout: 15_000 });
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    // The route removed, then the carrier deleted.
    dialog = await openDefaultRoutes(page);
    await dialog.getByRole('button', { name: 'Remove route 2' }).click();
    await dialog.getByRole('button', { name: 'Save routes' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor('the route to go', async () => (await routes.getByRole('row', { name: /\+4477/ }).count()) === 0, 15_000);
    await page.getByRole('tab', { name: 'Carriers' }).click();
    await page.getByRole('button', { name: `Delete carrier ${name}` }).click();
    confirm = page.getByRole('dialog', { name: `Delete carrier ${name}?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor('the carrier to go', async () =>
      (await page.getByRole('table', { name: 'Stored carriers' }).getByRole('row', { name: new RegExp(name) }).count()) === 0, 15_000);
    await waitFor('the carrier to leave service', async () => (await page.getByRole('region', { name: `Carrier ${name}` }).count()) === 0, 15_000);

    // An account's own route, from the accounts grid.
    await page.getByRole('tab', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Routes of Demo' }).click();
    const own = page.getByRole('dialog', { name: 'Routes of Demo' });
    await own.getByRole('button', { name: 'Add a route' }).waitFor({ timeout: 15_000 });
    await own.getByRole('button', { name: 'Add a route' }).click();
    await own.getByRole('textbox', { name: 'Prefix of route 1' }).fill('33');
    await own.getByRole('button', { name: 'Save routes' }).click(); // the only carrier, sim, is chosen already
    await own.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByRole('tab', { name: 'Routes' }).click();
    await page.getByRole('table', { name: /^Routes of account/ }).getByRole('row', { name: /\+33.*sim/ }).waitFor({ timeout: 15_000 });

    // A buy rate added and deleted.
    await page.getByRole('tab', { name: 'Buy rates' }).click();
    await page.getByRole('button', { name: 'New buy rate' }).click();
    const rate = page.getByRole('dialog', { name: 'New buy rate' });
    await rate.getByRole('combobox', { name: 'Carrier' }).click();
    await page.getByRole('option', { name: 'sim', exact: true }).click();
    await rate.getByRole('textbox', { name: 'Prefix' }).fill('44');
    await rate.getByRole('textbox', { name: 'Price per segment' }).fill('0.0042');
    await rate.getByRole('button', { name: 'Add rate' }).click();
    await rate.waitFor({ state: 'detached', timeout: 15_000 });
    const rates = page.getByRole('table', { name: 'Buy rates' });
    await rates.getByRole('row', { name: /sim\s+\+44\s+.*0\.0042/ }).waitFor({ timeout: 15_000 });
    await accessible(page, 'the buy rates tab');
    await shot(page, 'flow-operator-buy-rates');
    await rates.getByRole('button', { name: /^Delete the rate of sim to \+44/ }).click();
    await page.getByRole('dialog', { name: 'Delete the rate of sim to +44?' }).getByRole('button', { name: 'Delete' }).click();
    await waitFor('the rate to go', async () => (await rates.getByRole('row', { name: /sim\s+\+44\s+.*0\.0042/ }).count()) === 0, 15_000);
    assert(s.errors.length === 0, `no console errors, got:\n${s.errors.join('\n')}`);
  } finally {
    await s.ctx.close();
  }

  // A data-subject request: the operator's own account sends to a number, then exports and erases it.
  const token = await login(demo.base, operator.email, operator.password);
  const me = await call(demo.base, token, 'GET', '/v1/me');
  await call(demo.base, token, 'POST', `/v1/accounts/${me.account_id}/topups`, { amount: '5', reference: 'e2e funding' });
  const number = '+447700900777';
  const sent = await call(demo.base, token, 'POST', '/v1/messages', { to: number, from: 'Gallant', text: 'About your parcel' });

  s = await session(browser, operator, '/privacy');
  try {
    const { page } = s;
    await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByText('Enter the number with its country code, such as +447700900123').waitFor(); // checked before any call
    await page.getByRole('textbox', { name: 'Phone number' }).fill('+44 7700 900777');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert(download.suggestedFilename().startsWith('privacy-export-447700900777-'), `the file's name: ${download.suggestedFilename()}`);
    assert(doc.messages?.some((x) => x.id === sent.id && x.to === number), `the export holds the message: ${JSON.stringify(doc).slice(0, 500)}`);

    await page.getByRole('button', { name: 'Erase' }).click();
    const confirm = page.getByRole('dialog', { name: 'Erase +44 7700 900777?' });
    await confirm.getByText(/its opt-outs/).waitFor(); // what is kept is said
    await accessible(page, 'the erase dialog');
    await confirm.getByRole('button', { name: 'Erase' }).click();
    await confirm.waitFor({ state: 'detached', timeout: 30_000 });
    const done = await page.getByText(/records? erased or redacted/).textContent();
    const shown = done.match(/shows as (\S+)\.$/)?.[1];
    assert(shown && shown.includes('*'), `the erasure says what the number became: ${done}`);
    const grid = page.getByRole('grid', { name: 'Data-subject requests' });
    await grid.getByRole('row', { name: /erase/ }).waitFor({ timeout: 15_000 });
    await grid.getByRole('row', { name: /export/ }).waitFor();
    assert(!(await grid.textContent()).includes('900777'), 'the requests never show the number');
    await accessible(page, 'the privacy page');
    await shot(page, 'flow-privacy');

    await page.goto(`${demo.base}/messages`);
    const messages = page.getByRole('grid', { name: 'Messages' });
    await messages.getByRole('row', { name: new RegExp(`\\+${shown.replace('*', '\\*')}`) }).waitFor({ timeout: 15_000 });
    assert(!(await messages.textContent()).includes('7700900777'), 'the number is gone from the messages');
    await shot(page, 'flow-privacy-messages');
    assert(s.errors.length === 0, `no console errors, got:\n${s.errors.join('\n')}`);
  } finally {
    await s.ctx.close();
  }

  // A reseller routes its sub-account, among the carriers offered (those of the default routes).
  const stamp = Date.now().toString(36);
  const made = await call(demo.base, token, 'POST', '/v1/accounts', { name: `Resell ${stamp}`, kind: 'reseller' });
  const reseller = { base: demo.base, email: `reseller-${stamp}@example.com`, password: `reseller-pw-${stamp}` };
  await call(demo.base, token, 'POST', `/v1/accounts/${made.account.id}/users`, { email: reseller.email, password: reseller.password, role: 'reseller' });
  const rtoken = await login(demo.base, reseller.email, reseller.password);
  const shop = await call(demo.base, rtoken, 'POST', '/v1/accounts', { name: `Shop ${stamp}` });
  s = await session(browser, reseller, '/reseller');
  try {
    const { page } = s;
    await page.getByRole('button', { name: `Routes of Shop ${stamp}` }).click();
    const dialog = page.getByRole('dialog', { name: `Routes of Shop ${stamp}` });
    await dialog.getByRole('button', { name: 'Add a route' }).click();
    await dialog.getByRole('textbox', { name: 'Prefix of route 1' }).fill('44');
    const carrier = dialog.getByRole('textbox', { name: 'Carrier 1 of route 1', exact: true });
    await carrier.fill('elsewhere');
    await dialog.getByRole('button', { name: 'Save routes' }).click();
    await dialog.getByRole('alert').getByText(/unknown carrier "elsewhere"/).waitFor({ timeout: 15_000 });
    await carrier.fill('sim');
    await dialog.getByRole('button', { name: 'Save routes' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    const plan = await call(demo.base, rtoken, 'GET', `/v1/accounts/${shop.account.id}/routes`);
    assert(plan.routes.length === 1 && plan.routes[0].prefix === '44' && plan.routes[0].carriers[0].carrier === 'sim',
      `the sub-account's plan is saved: ${JSON.stringify(plan)}`);
    assert(s.errors.length === 0, `no console errors, got:\n${s.errors.join('\n')}`);
  } finally {
    await s.ctx.close();
  }
}
