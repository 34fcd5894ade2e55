// Sign in through the page, see a message sent with the API key arrive in
// Messages, open it and watch its timeline reach "delivered". The context
// keeps the gateway's CSP, and any console error or CSP violation fails.
import { apiCall, assert, shot, signIn, waitFor } from '../harness.mjs';

export default async function ({ browser, demo }) {
  const sent = await apiCall(demo, 'POST', '/v1/messages', { to: '+447700900123', from: 'Gallant', text: 'Hello from the e2e test' });
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A signed-out start asks /v1/auth/refresh, which has no cookie to use:
    // the browser logs that refusal, and it is expected.
    if (m.text().startsWith('Failed to load resource') && m.location().url.endsWith('/v1/auth/refresh')) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    const res = await page.goto(`${demo.base}/messages`);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert(csp.includes("script-src 'self'"), `the dashboard is served with a strict CSP, got "${csp}"`);
    // Signed out: the app sends us to sign in, and back afterwards.
    await page.waitForURL(/\/sign-in\?next=/);
    await signIn(page, demo, '/messages');
    await page.waitForURL(/\/messages$/);
    const row = page.getByRole('row', { name: /Hello from the e2e test/ });
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    const drawer = page.getByRole('region', { name: 'Message details' });
    await drawer.getByText(`Message ${sent.id}`).waitFor();
    await drawer.getByRole('list', { name: 'Status timeline' }).getByText('delivered').first().waitFor({ timeout: 20_000 });
    await shot(page, 'flow-message-delivered', { viewportOnly: true });

    // The session survives a reload (the refresh cookie), and signing out ends it.
    await page.reload();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${demo.base}/messages`);
    await page.waitForURL(/\/sign-in\?next=/);
    await waitFor('no console errors', () => true);
    assert(errors.length === 0, `no console errors or CSP violations, got:\n${errors.join('\n')}`);
  } finally {
    await ctx.close();
  }
}
