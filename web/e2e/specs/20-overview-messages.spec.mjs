// Overview and Messages on real data: messages sent with the API key (the
// demo's simulated carrier delivers every one: it has no failing number)
// and a small campaign; then the Overview's figures and charts, the
// Messages filters (status, number, sender, campaign), the CSV export of
// the filtered list, and the drawer's timeline and receipts.
import { readFileSync } from 'node:fs';
import { apiCall, assert, axe, shot, signIn, waitFor } from '../harness.mjs';

/** axeOurs checks this spec's parts of the page; the frame is 90-every-page's. */
const axeOurs = (page) => axe(page, { include: ['main', '[role="dialog"]'] });

const gallant = ['+447700900211', '+447700900212', '+12025550143', '+353851234567', '+4915112345678'];
const shop = ['+447700900221', '+447700900222'];
const campaignNumbers = ['447700900231', '447700900232', '447700900233'];

/** parseCSV reads simple CSV (quoted fields with "" escapes, newlines inside quotes). */
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** gridRows is the data rows the Messages grid shows now. */
async function gridRows(page) {
  return page.getByRole('grid', { name: 'Messages' }).locator('.MuiDataGrid-row').count();
}

export default async function ({ browser, demo }) {
  // Seed: 7 single messages and a 3-recipient campaign, all delivered.
  for (const to of gallant) await apiCall(demo, 'POST', '/v1/messages', { to, from: 'Gallant', text: `Overview seed to ${to}` });
  for (const to of shop) await apiCall(demo, 'POST', '/v1/messages', { to, from: 'Shop', text: `=Shop offer, to ${to}` });
  const camp = await apiCall(demo, 'POST', '/v1/campaigns', {
    name: 'E2E spring',
    kind: 'transactional',
    from: 'Spring',
    text: 'Spring sale',
    audience: { numbers: campaignNumbers },
  });
  await apiCall(demo, 'POST', `/v1/campaigns/${camp.id}/launch`);
  const sent = gallant.length + shop.length + campaignNumbers.length;
  await waitFor('the seeded messages to be delivered', async () => {
    const [a, b, c] = await Promise.all([
      apiCall(demo, 'GET', '/v1/messages?status=delivered&sender=Gallant&limit=50'),
      apiCall(demo, 'GET', '/v1/messages?status=delivered&sender=Shop&limit=50'),
      apiCall(demo, 'GET', `/v1/messages?status=delivered&campaign=${camp.id}&limit=50`),
    ]);
    return a.items.length >= gallant.length && b.items.length === shop.length && c.items.length === campaignNumbers.length;
  }, 30_000, 250);

  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  // Failed requests are checked by their answers: only the refresh tried
  // before signing in (no cookie yet) may fail. Chromium also logs each
  // failed load (and its favicon probe) as a console error: those are
  // left to the response check.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/v1/auth/refresh')) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  try {
    // Overview: the cards count what was sent, the charts draw it.
    await signIn(page, demo, '/');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const sentCard = page.getByTestId('stat-Sent');
    const n = await waitFor('the Sent card', async () => {
      const v = Number((await sentCard.textContent()).replace(/\D/g, ''));
      return v >= sent ? v : 0;
    });
    assert(n >= sent, `Sent shows at least ${sent}, got ${n}`);
    await waitFor('Delivered 100%', async () => (await page.getByTestId('stat-Delivered').textContent()).includes('100.0%'));
    const volume = page.getByRole('img', { name: /Messages per day by status/ });
    await volume.locator('svg').first().waitFor({ timeout: 20_000 });
    assert((await volume.locator('svg rect').count()) > 0, 'the volume chart draws bars');
    const sparks = await waitFor('the sparklines', async () => {
      const c = await page.locator('section[aria-label="Sent"] svg').count();
      return c > 0 ? c : 0;
    });
    assert(sparks > 0, 'the Sent card has a sparkline');
    const countries = page.getByRole('region', { name: 'Delivery rate by country' });
    await countries.getByText('United Kingdom').waitFor();
    await countries.getByText('Germany').waitFor();
    await page.getByRole('region', { name: 'Recent campaigns' }).getByRole('link', { name: /E2E spring/ }).waitFor();
    const link = await page.getByRole('region', { name: 'Recent campaigns' }).getByRole('link', { name: /E2E spring/ }).getAttribute('href');
    assert(link === `/campaigns/${camp.id}`, `the campaign links to its page, got ${link}`);
    // The low-balance warning follows the account's alert threshold, set
    // (as the account's owner: the dashboard user) above the balance,
    // then put back off.
    const login = await (await fetch(`${demo.base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: demo.email, password: demo.password }),
    })).json();
    const owner = { ...demo, apiKey: login.access_token };
    const me = await apiCall(owner, 'GET', '/v1/me');
    assert((await page.getByText('Low balance').count()) === 0, 'no warning with a full balance');
    await apiCall(owner, 'PUT', `/v1/accounts/${me.account_id}/alerts`, { low_balance_threshold: '100000.00' });
    try {
      await page.reload();
      const warning = page.getByRole('alert').filter({ hasText: 'Low balance' });
      await warning.waitFor();
      const text = await warning.textContent();
      assert(/below the account's alert threshold of/.test(text) && /100,000\.00/.test(text), `the warning names the threshold: ${text}`);
    } finally {
      await apiCall(owner, 'PUT', `/v1/accounts/${me.account_id}/alerts`, { low_balance_threshold: '0' });
    }
    await page.reload();
    await page.getByTestId('stat-Balance').waitFor();
    await waitFor('the warning to go', async () => (await page.getByText('Low balance').count()) === 0);

    // Another period: 7 days, then a custom range with date fields.
    await page.getByRole('button', { name: '7 days' }).click();
    await page.waitForURL(/days=7/);
    await page.getByRole('button', { name: 'Dates' }).click();
    await page.waitForURL(/first=\d{4}-\d{2}-\d{2}&last=/);
    await page.getByRole('group', { name: 'From' }).waitFor();
    await waitFor('Sent for the custom range', async () => Number((await sentCard.textContent()).replace(/\D/g, '')) >= sent);

    // Messages: filters narrow the grid.
    await page.goto(`${demo.base}/messages`);
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    await page.getByRole('row', { name: /Overview seed/ }).first().waitFor({ timeout: 20_000 });
    const all = await gridRows(page);
    assert(all >= sent, `the grid lists at least ${sent} rows, got ${all}`);
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'delivered', exact: true }).click();
    await page.waitForURL(/status=delivered/);
    await page.getByLabel('Number').fill(gallant[2]);
    await page.waitForURL(/to=%2B12025550143/);
    await waitFor('the grid to narrow to one number', async () => (await gridRows(page)) === 1);
    await page.getByRole('row', { name: /Overview seed to \+12025550143/ }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Sender').fill('Shop');
    await page.waitForURL(/sender=Shop/);
    await waitFor('the grid to narrow to the sender', async () => (await gridRows(page)) === shop.length);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('combobox', { name: 'Campaign' }).click();
    await page.getByRole('option', { name: 'E2E spring' }).click();
    await page.waitForURL(new RegExp(`campaign=${camp.id}`));
    await waitFor('the grid to narrow to the campaign', async () => (await gridRows(page)) === campaignNumbers.length);

    // The export holds the filtered list: the campaign's messages.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert(/^messages-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
    const rows = parseCSV(readFileSync(await download.path(), 'utf8'));
    assert(rows[0].join(',') === 'id,created_at,updated_at,to,from,status,segments,encoding,price,client_ref,text', `header ${rows[0]}`);
    const body = rows.slice(1);
    assert(body.length === campaignNumbers.length, `the export has ${campaignNumbers.length} rows, got ${body.length}`);
    const tos = body.map((r) => r[3]).sort();
    assert(JSON.stringify(tos) === JSON.stringify(campaignNumbers.map((x) => `+${x}`)), `exported ${tos}`);
    // +44 costs 0.035 a segment in the demo: 35,000 micro-units.
    assert(body.every((r) => r[4] === 'Spring' && r[5] === 'delivered' && r[8] === '35000' && r[9].startsWith(`cmp:${camp.id}:`)), `rows ${JSON.stringify(body)}`);
    // And with the sender filter: the formula-looking texts are defused.
    await page.goto(`${demo.base}/messages?sender=Shop`);
    await waitFor('the Shop rows', async () => (await gridRows(page)) === shop.length);
    const [d2] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const shopRows = parseCSV(readFileSync(await d2.path(), 'utf8')).slice(1);
    assert(shopRows.length === shop.length && shopRows.every((r) => r[10].startsWith("'=Shop offer")), `shop export ${JSON.stringify(shopRows)}`);

    // The drawer: delivered, with the segment's receipts.
    await page.getByRole('row', { name: new RegExp(shop[0].replace('+', '\\+')) }).click();
    const drawer = page.getByRole('region', { name: 'Message details' });
    await drawer.getByRole('list', { name: 'Status timeline' }).getByText('delivered').first().waitFor({ timeout: 20_000 });
    const receipts = drawer.getByRole('table', { name: 'Receipt history' });
    await receipts.getByText('delivered').waitFor();
    await receipts.getByText('submitted').waitFor();
    await page.getByRole('button', { name: 'Close details' }).click();

    assert(errors.length === 0, `no console errors or failed API calls, got:\n${errors.join('\n')}`);
  } finally {
    await ctx.close();
  }

  // Accessibility of the seeded pages, the custom range and the open
  // drawer, on a desktop (light theme) and a phone (dark theme) (axe-core is injected: this context
  // bypasses the CSP; the one above kept it).
  const actx = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  const apage = await actx.newPage();
  const problems = [];
  const check = async (what) => {
    for (const v of await axeOurs(apage)) problems.push(`${what}: ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
  };
  try {
    await signIn(apage, demo, '/');
    for (const vp of [{ width: 1440, height: 900, name: 'desktop' }, { width: 390, height: 844, name: 'phone' }]) {
      await apage.setViewportSize(vp);
      await apage.goto(`${demo.base}/?first=2026-01-01&last=2026-12-31`);
      await apage.getByRole('img', { name: /Messages per day by status/ }).locator('svg').first().waitFor({ timeout: 20_000 });
      await apage.getByRole('group', { name: 'From' }).waitFor();
      await check(`overview, dates (${vp.name})`);
      await apage.goto(`${demo.base}/?days=90`);
      await apage.getByRole('region', { name: 'Delivery rate by country' }).getByText('Ireland').waitFor();
      await apage.getByRole('img', { name: /Messages per day by status/ }).locator('svg').first().waitFor({ timeout: 20_000 });
      await shot(apage, `overview-seeded-${vp.name}`);
      await apage.goto(`${demo.base}/messages?status=delivered&sender=Shop`);
      await apage.getByText(shop[0]).first().waitFor({ timeout: 20_000 });
      if (vp.name === 'phone') {
        // Rows become cards, still filtered.
        const cards = apage.getByRole('list', { name: 'Messages' }).getByRole('listitem');
        assert((await cards.count()) === shop.length, `phone cards follow the filter: ${await cards.count()}`);
      }
      await shot(apage, `messages-filtered-${vp.name}`);
      await apage.getByText(shop[0]).first().click();
      await apage.getByRole('table', { name: 'Receipt history' }).waitFor({ timeout: 20_000 });
      // The page under the open drawer is checked with it.
      await check(`messages, filtered, drawer open (${vp.name})`);
      await shot(apage, `messages-drawer-${vp.name}`);
      if (vp.name === 'desktop') {
        // The phone round runs in the dark theme.
        await apage.keyboard.press('Escape');
        await apage.getByRole('button', { name: /Use the dark theme/ }).click();
        await apage.getByRole('button', { name: /Use the light theme/ }).waitFor();
      }
    }
  } finally {
    await actx.close();
  }
  assert(problems.length === 0, `no serious or critical accessibility violations:\n${problems.join('\n')}`);
}
