// Every page in the navigation, on a desktop (1440×900) and a phone
// (390×844), in the light and dark themes: it renders its heading, has no
// serious or critical axe-core violation, and is saved as a screenshot
// under web/test-results/.
import { apiCall, assert, axe, shot, signIn } from '../harness.mjs';

const viewports = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

// seed gives the pages something to show: messages, contacts in a list and a template.
async function seed(demo) {
  for (let i = 0; i < 5; i++) {
    await apiCall(demo, 'POST', '/v1/messages', { to: `+44770090010${i}`, from: 'Gallant', text: `Seeded message ${i}` });
  }
  const list = await apiCall(demo, 'POST', '/v1/lists', { name: 'Customers' });
  for (let i = 0; i < 3; i++) {
    const c = await apiCall(demo, 'POST', '/v1/contacts', { phone: `+44770090020${i}`, first_name: ['Ada', 'Grace', 'Alan'][i] });
    await apiCall(demo, 'POST', `/v1/lists/${list.id}/contacts`, { contact_ids: [c.id] });
  }
  await apiCall(demo, 'POST', '/v1/templates', { name: 'Welcome', body: 'Hi {{first_name|there}}, welcome to Acme. {{optout}}' });
}

export default async function ({ browser, demo }) {
  await seed(demo);
  const problems = [];
  let pages = [];
  for (const vp of viewports) {
    // axe-core is injected as a script: this context bypasses the CSP (the
    // sign-in flow spec checks the app under it).
    const ctx = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, bypassCSP: true });
    const page = await ctx.newPage();
    try {
      await signIn(page, demo);
      if (pages.length === 0) {
        pages = await page.getByRole('navigation', { name: 'Main' }).first().locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), label: a.textContent.trim() })));
        assert(pages.length >= 2, `the navigation lists the pages, got ${JSON.stringify(pages)}`);
      }
      for (const p of pages) {
        await page.goto(`${demo.base}${p.href}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 });
        await page.waitForLoadState('networkidle');
        const slug = p.href === '/' ? 'overview' : p.href.slice(1).replaceAll('/', '-');
        await shot(page, `${slug}-${vp.name}`);
        for (const v of await axe(page)) problems.push(`${p.href} (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      }
      // The dark theme, on the first page.
      await page.goto(`${demo.base}/`);
      await page.getByRole('button', { name: /Use the dark theme/ }).click();
      await page.getByRole('button', { name: /Use the light theme/ }).waitFor();
      // Let the toggle's tooltip go: axe would judge it half faded in.
      await page.mouse.move(vp.width / 2, vp.height - 5);
      await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await page.getByRole('tooltip').waitFor({ state: 'detached' });
      await shot(page, `overview-${vp.name}-dark`);
      for (const v of await axe(page)) problems.push(`/ dark (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
    } finally {
      await ctx.close();
    }
  }
  assert(problems.length === 0, `no serious or critical accessibility violations:\n${problems.join('\n')}`);
}
