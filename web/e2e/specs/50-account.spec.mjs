// The account pages: create an API key in Developers, see its secret once
// and use it, revoke it and see it refused; add a team member; see the
// balance and ledger in Billing and open the printable invoice; ask for a
// password reset signed out. Every developer tab is screenshot and
// axe-checked on desktop and phone. The context keeps the gateway's CSP,
// and any console error fails.
import { assert, axe, shot, signIn, waitFor } from '../harness.mjs';

const tabs = ['keys', 'smpp', 'webhooks', 'numbers', 'reference'];

async function balanceStatus(demo, key) {
  const res = await fetch(`${demo.base}/v1/balance`, { headers: { Authorization: `Bearer ${key}` } });
  return res.status;
}

export default async function ({ browser, demo }) {
  const email = `e2e-${Date.now()}@example.com`;
  const t0 = Date.now();
  const lap = (what) => process.env.E2E_TIMES && console.log(`  ${what}: ${Date.now() - t0} ms`);
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await signIn(page, demo);
    await page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Developers' }).click();
    await page.getByRole('heading', { name: 'Developers', level: 1 }).waitFor();

    // Create a key: its secret is shown once, and it works.
    await page.getByRole('button', { name: 'Create API key' }).click();
    const create = page.getByRole('dialog', { name: 'Create an API key' });
    await create.getByLabel('Name').fill('e2e key');
    await create.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByRole('dialog', { name: /API key "e2e key" created/ });
    await shown.waitFor();
    await shown.getByText('it is shown this once').waitFor();
    const key = await shown.getByRole('textbox', { name: 'API key' }).inputValue();
    assert(/^gal_/.test(key), `the new key is shown, got "${key}"`);
    await shot(page, 'flow-api-key-created');
    assert((await balanceStatus(demo, key)) === 200, 'the new key reads the balance');
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });

    // Revoke it: refused from then on.
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('row', { name: /e2e key/ }).waitFor();
    await table.getByRole('button', { name: 'Revoke e2e key' }).click();
    await page.getByRole('dialog', { name: 'Revoke this API key?' }).getByRole('button', { name: 'Revoke' }).click();
    await table.getByRole('row', { name: /e2e key/ }).waitFor({ state: 'detached' });
    await waitFor('the revoked key to be refused', async () => (await balanceStatus(demo, key)) === 401, 10_000);

    lap('key revoked');
    // The webhook URL is the account's (the demo allows local receivers).
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/e2e-hook');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: callbacks go to the new URL.').waitFor();
    await page.reload();
    await waitFor('the saved URL', async () => (await page.getByLabel('Webhook URL').inputValue()) === 'http://127.0.0.1:9/e2e-hook', 10_000);

    // The reference is the gateway's own document, searchable.
    await page.getByRole('tab', { name: 'API reference' }).click();
    await page.getByText('POST').first().waitFor();
    await page.getByLabel('Search the API').fill('statements invoice');
    await page.getByText('/v1/accounts/{id}/statements/{month}/invoice').waitFor();
    await page.getByText('/v1/messages/batch').waitFor({ state: 'detached' });

    lap('tabs and reference');
    // Team: add a member.
    await page.goto(`${demo.base}/team`);
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add a user' }).click();
    const invite = page.getByRole('dialog', { name: 'Add a user' });
    await invite.getByLabel('Email').fill(email);
    await invite.getByLabel('First password').fill('a long first password');
    await invite.getByRole('button', { name: 'Add user' }).click();
    await invite.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(email) }).waitFor();
    await shot(page, 'flow-team-member-added');

    lap('team');
    // Billing: the balance, the ledger and the printable invoice.
    await page.goto(`${demo.base}/billing`);
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await page.getByLabel(/^Available: /).waitFor();
    const ledger = page.getByRole('grid', { name: 'Ledger' });
    await ledger.waitFor();
    await ledger.getByRole('row').nth(1).waitFor({ timeout: 20_000 }); // a row below the header
    const [invoice] = await Promise.all([ctx.waitForEvent('page'), page.getByRole('button', { name: 'Printable invoice' }).click()]);
    await invoice.getByRole('heading', { name: 'Invoice' }).waitFor({ timeout: 20_000 });
    assert(invoice.url().startsWith('blob:'), `the invoice opens from a blob, got ${invoice.url()}`);
    await invoice.close();
    await shot(page, 'flow-billing');
    lap('billing');
    assert(errors.length === 0, `no console errors or CSP violations, got:\n${errors.join('\n')}`);
  } finally {
    await ctx.close();
  }

  // Signed out: the sign-in page links to the reset, which answers its form.
  const out = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const p = await out.newPage();
    await p.goto(`${demo.base}/sign-in`);
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await p.getByLabel('Email').fill(demo.email);
    await p.getByRole('button', { name: 'Send the link' }).click();
    await p.getByRole('status').getByText(/a link to set a new password is on its way/).waitFor();
    await shot(p, 'reset-password-phone');
    await p.goto(`${demo.base}/reset-password/confirm`);
    await p.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await p.goto(`${demo.base}/sign-up`);
    await p.getByRole('heading', { name: /Sign-up is closed|Create an account/ }).waitFor();
    await shot(p, 'sign-up-phone');
    // The new member's verification mail (the demo logs it) links to the dashboard.
    const links = [...demo.logs().matchAll(/(http:\/\/[^\s"\\]+\/verify-email\?token=[A-Za-z0-9_.~-]+)/g)];
    assert(links.length > 0, 'the demo logged a verification link');
    await p.goto(links.at(-1)[1]);
    await p.getByRole('status').getByText(`${email} is verified.`).waitFor();
  } finally {
    await out.close();
  }

  // Screenshots and axe of every developer tab, and the public pages, on both sizes.
  const problems = [];
  for (const vp of [
    { name: 'desktop', width: 1440, height: 900 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    const c = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, bypassCSP: true });
    try {
      const p = await c.newPage();
      for (const path of ['/reset-password', '/reset-password/confirm?token=x', '/verify-email', '/sign-up']) {
        await p.goto(`${demo.base}${path}`);
        await p.getByRole('heading', { level: 1 }).waitFor();
        lap(`${path} ${vp.name}`);
        await shot(p, `${path.slice(1).replace(/\?.*/, '').replaceAll('/', '-')}-${vp.name}`);
        for (const v of await axe(p)) problems.push(`${path} (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      }
      // The phone's navigation is a closed drawer: wait for the page instead.
      await p.goto(`${demo.base}/sign-in`);
      await p.getByLabel('Email').fill(demo.email);
      await p.getByLabel('Password').fill(demo.password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: 20_000 });
      // The keys tab is /developers, which 90-every-page covers.
      for (const t of tabs.slice(1)) {
        await p.goto(`${demo.base}/developers/${t}`);
        await p.getByRole('heading', { name: 'Developers', level: 1 }).waitFor();
        await p.waitForLoadState('networkidle');
        if (t === 'reference') {
          // The whole reference is a very long page: check one group of it.
          await p.getByLabel('Search the API').fill('balance');
          await p.getByText('/v1/balance').first().waitFor();
        }
        await shot(p, `developers-${t}-${vp.name}`);
        lap(`${t} ${vp.name}`);
        for (const v of await axe(p)) problems.push(`/developers/${t} (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      }
    } finally {
      await c.close();
    }
  }
  assert(problems.length === 0, `no serious or critical accessibility violations:\n${problems.join('\n')}`);
}
