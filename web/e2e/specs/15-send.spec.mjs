// The core flow: sign in, open Send, type a number and a text with
// a character that forces UCS-2, see the counter say UCS-2 and highlight
// it, see the price, send, then follow the message to Messages and watch
// its timeline reach "delivered". Then a bulk send of three pasted numbers
// (with a duplicate and a bad entry flagged before sending), all accepted; a
// message scheduled at 09:30 Tokyo time; a personal field inserted and
// rendered, estimated and launched as a campaign; a list, a template and a
// CSV upload with a national number in one campaign; the page on a phone in
// the dark theme. Axe runs on the page with its counter and results shown.
import { apiCall, assert, axe, shot, signIn, waitFor } from '../harness.mjs';

export default async function ({ browser, demo }) {
  const stamp = Date.now().toString(36);
  // Opted out now: every instance enforces the ledger within a second, long before the page sends to it.
  await apiCall(demo, 'POST', '/v1/opt-outs', { number: '+447700900999' });
  let refusalsExpected = false;
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  // Console errors and failed API calls once signed in (a failed load is
  // logged to the console without its URL: the response listener names it;
  // the favicon and the signed-out session probe are not this page's).
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await signIn(page, demo, '/');
    page.on('response', (r) => {
      const refusal = refusalsExpected && r.status() === 422 && r.url().endsWith('/v1/messages');
      if (r.status() >= 400 && !refusal) errors.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
    });
    await page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Send' }).click();
    await page.waitForURL(/\/send$/);
    await page.getByRole('heading', { level: 1, name: 'Send' }).waitFor();

    // One number, a text with ë (not in GSM 03.38).
    await page.getByLabel('Numbers', { exact: true }).fill('+44 7700 900123');
    await page.getByTestId('numbers-summary').getByText('1 number', { exact: true }).waitFor();
    const text = `Hello Zoë, from the Send page ${stamp}`;
    await page.getByLabel('Message', { exact: true }).fill(text);
    const counter = page.getByRole('status', { name: 'Character counter' });
    await counter.getByText('UCS-2', { exact: true }).waitFor();
    const units = [...text].length;
    assert((await page.getByTestId('counter').textContent()).includes(`${units} characters · 1 segment of 70`), 'the counter counts UCS-2 units against 70');
    const marked = await page.getByTestId('highlighted').locator('mark').allTextContents();
    assert(marked.length === 1 && marked[0] === 'ë', `only ë is highlighted, got ${JSON.stringify(marked)}`);
    // The demo prices +44 at 0.035 EUR a segment.
    const price = page.getByTestId('price');
    await price.waitFor({ timeout: 15_000 });
    assert(/0[.,]035/.test(await price.textContent()), `the price is shown: ${await price.textContent()}`);
    await shot(page, 'send-ucs2-desktop');
    const violations = await axe(page);
    assert(violations.length === 0, `no serious axe violations on Send: ${JSON.stringify(violations)}`);

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const result = page.getByRole('region', { name: 'Send result' });
    await result.getByText(/Message \d+ accepted/).waitFor({ timeout: 15_000 });
    const id = (await result.getByText(/Message \d+ accepted/).textContent()).match(/Message (\d+)/)[1];
    const stored = await apiCall(demo, 'GET', `/v1/messages/${id}`);
    assert(stored.to === '+447700900123' && stored.text === text && stored.encoding === 'ucs2', `the API stored the message as sent: ${JSON.stringify(stored)}`);

    await result.getByRole('link', { name: 'Follow it in Messages' }).click();
    await page.waitForURL(new RegExp(`/messages\\?id=${id}$`));
    const drawer = page.getByRole('region', { name: 'Message details' });
    await drawer.getByText(`Message ${id}`).waitFor();
    await drawer.getByRole('list', { name: 'Status timeline' }).getByText('delivered').first().waitFor({ timeout: 20_000 });
    await shot(page, 'send-flow-delivered');

    // Bulk: three numbers pasted, one of them twice, and an entry that is no number.
    await page.goto(`${demo.base}/send`);
    await page.getByLabel('Numbers', { exact: true }).fill('+447700900201, +447700900202\n+447700900203\n+44 7700 900201\nnot-a-number');
    const summary = page.getByTestId('numbers-summary');
    await summary.getByText('3 numbers · 1 duplicate removed · 1 not valid').waitFor();
    await page.getByRole('region', { name: 'Numbers that will not be sent' }).getByText('not-a-number').waitFor();
    await page.getByLabel('Message', { exact: true }).fill(`Bulk from the Send page ${stamp}`);
    await page.getByRole('status', { name: 'Character counter' }).getByText('GSM-7', { exact: true }).waitFor();
    await page.getByTestId('price').getByText(/for 3 messages/).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await result.getByText('3 accepted, 0 refused').waitFor({ timeout: 15_000 });
    const links = await result.getByRole('list', { name: 'Accepted messages' }).getByRole('link').allTextContents();
    assert(links.length === 3, `three message ids, got ${links.length}`);
    for (const mid of links) {
      const m = await apiCall(demo, 'GET', `/v1/messages/${mid}`);
      assert(m.text === `Bulk from the Send page ${stamp}`, `message ${mid} is the bulk text`);
    }
    await shot(page, 'send-bulk-desktop');

    // The API's refusals: an opted-out number on the Numbers field when sent
    // alone, and with its reason among the refused when sent with another.
    refusalsExpected = true;
    await page.goto(`${demo.base}/send`);
    await page.getByLabel('Numbers', { exact: true }).fill('+447700900999');
    await page.getByLabel('Message', { exact: true }).fill(`To an opted-out number ${stamp}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('+447700900999 has opted out of messages from this account', { exact: false }).waitFor({ timeout: 15_000 });
    assert((await page.getByLabel('Numbers', { exact: true }).getAttribute('aria-invalid')) === 'true', 'the refusal is shown on the Numbers field');
    await page.getByLabel('Numbers', { exact: true }).fill('+447700900999\n+447700900998');
    await page.getByTestId('numbers-summary').getByText('2 numbers', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await result.getByText('1 accepted, 1 refused').waitFor({ timeout: 15_000 });
    await result.getByRole('list', { name: 'Refused numbers' }).getByText(/\+447700900999.*Recipient opted out/).waitFor();
    refusalsExpected = false;

    // Scheduled in another time zone: 09:30 in Tokyo two days from now.
    await page.goto(`${demo.base}/send`);
    await page.getByLabel('Numbers', { exact: true }).fill('+447700900301');
    await page.getByLabel('Message', { exact: true }).fill(`Scheduled from the Send page ${stamp}`);
    await page.getByLabel('Schedule for later').check();
    const day = new Date(Date.now() + 2 * 86_400_000 + 9 * 3_600_000); // the date in Tokyo (UTC+9, no summer time)
    const [y, mo, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const pad = (n) => String(n).padStart(2, '0');
    await page.getByRole('group', { name: 'Send at' }).locator('[role="spinbutton"]').first().click();
    await page.keyboard.type(`${pad(mo)}${pad(d)}${y}0930`);
    await page.getByLabel('Time zone').fill('Asia/Tokyo');
    await page.getByRole('option', { name: 'Asia/Tokyo', exact: true }).click();
    const utc = new Date(Date.UTC(y, mo - 1, d, 0, 30)); // 09:30 +09:00
    const want = `${utc.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    await page.getByTestId('schedule-instant').getByText(want, { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await result.getByText(/Message \d+ accepted/).waitFor({ timeout: 15_000 });
    const sid = (await result.getByText(/Message \d+ accepted/).textContent()).match(/Message (\d+)/)[1];
    const scheduled = await apiCall(demo, 'GET', `/v1/messages/${sid}`);
    assert(scheduled.status === 'scheduled' && new Date(scheduled.send_at).getTime() === utc.getTime(),
      `the message waits until 09:30 Tokyo time (${utc.toISOString()}): ${JSON.stringify(scheduled)}`);

    // Personal fields go through a campaign: rendered sample, estimate, launch.
    await page.goto(`${demo.base}/send`);
    await page.getByLabel('Numbers', { exact: true }).fill('+447700900401');
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('Hi ');
    await page.getByRole('group', { name: 'Insert a personal field:' }).getByRole('button', { name: 'first_name' }).click();
    await page.keyboard.type(`, from a Send page campaign ${stamp}`);
    assert((await message.inputValue()) === `Hi {{first_name|there}}, from a Send page campaign ${stamp}`, `the field went in at the cursor: ${await message.inputValue()}`);
    await page.getByRole('region', { name: 'Sample rendering' }).getByText(`Hi there, from a Send page campaign ${stamp}`).waitFor({ timeout: 15_000 });
    await page.getByLabel('Kind').click();
    await page.getByRole('option', { name: 'Transactional' }).click();
    await page.getByRole('button', { name: 'Estimate the price' }).click();
    await page.getByTestId('price').getByText(/for 1 recipient/).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await result.getByText(/Campaign \d+ launched/).waitFor({ timeout: 15_000 });
    const cid = (await result.getByText(/Campaign \d+ launched/).textContent()).match(/Campaign (\d+)/)[1];
    const launched = await apiCall(demo, 'GET', `/v1/campaigns/${cid}`);
    assert(['running', 'completed'].includes(launched.state) && launched.kind === 'transactional' && launched.text === `Hi {{first_name|there}}, from a Send page campaign ${stamp}`,
      `the campaign runs with the text as written: ${JSON.stringify(launched)}`);
    await shot(page, 'send-campaign-desktop');

    // A list and a template, plus a CSV whose national number is read with
    // the account's default country: one campaign, each contact's name filled in.
    const [ann, bob] = [
      await apiCall(demo, 'POST', '/v1/contacts', { phone: '+447700900501', first_name: 'Ann' }),
      await apiCall(demo, 'POST', '/v1/contacts', { phone: '+447700900502', first_name: 'Bob' }),
    ];
    const list = await apiCall(demo, 'POST', '/v1/lists', { name: `Send page list ${stamp}` });
    await apiCall(demo, 'POST', `/v1/lists/${list.id}/contacts`, { contact_ids: [ann.id, bob.id] });
    const tpl = await apiCall(demo, 'POST', '/v1/templates', { name: `Send page template ${stamp}`, body: `Hello {{first_name|friend}}, template ${stamp}` });
    await apiCall(demo, 'PUT', '/v1/contact-settings', { default_country: 'GB' });
    try {
      await page.goto(`${demo.base}/send`);
      await page.getByLabel('CSV file of numbers').setInputFiles({
        name: 'numbers.csv', mimeType: 'text/csv', buffer: Buffer.from('name,phone\nCat,07700 900503\n'),
      });
      await page.getByTestId('numbers-summary').getByText('1 number', { exact: true }).waitFor();
      assert((await page.getByLabel('Numbers', { exact: true }).inputValue()) === '07700 900503', 'the CSV phone column fills the numbers');
      await page.getByLabel('Contact lists').click();
      await page.getByRole('option', { name: `Send page list ${stamp} (2)` }).click();
      await page.keyboard.press('Escape');
      await page.getByLabel('Template (optional)').click();
      await page.getByRole('option', { name: `Send page template ${stamp}` }).click();
      assert((await message.inputValue()) === tpl.body, 'the template fills the message');
      // Transactional: a marketing campaign would wait for the end of quiet hours in the UK.
      await page.getByLabel('Kind').click();
      await page.getByRole('option', { name: 'Transactional' }).click();
      await page.getByRole('button', { name: 'Estimate the price' }).click();
      await page.getByTestId('price').getByText(/for 3 recipients/).waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await result.getByText(/Campaign \d+ launched/).waitFor({ timeout: 15_000 });
      const lid = (await result.getByText(/Campaign \d+ launched/).textContent()).match(/Campaign (\d+)/)[1];
      await shot(page, 'send-list-template-desktop');
      await waitFor('the list campaign to send its three messages', async () => {
        const st = await apiCall(demo, 'GET', `/v1/campaigns/${lid}/stats`);
        return st.totals?.sent === 3;
      }, 60_000, 250);
      const toAnn = await apiCall(demo, 'GET', '/v1/messages?to=%2B447700900501&limit=5');
      assert(toAnn.items.some((m) => m.text === `Hello Ann, template ${stamp}`), `Ann got her own text: ${JSON.stringify(toAnn.items.map((m) => m.text))}`);
      const toCat = await apiCall(demo, 'GET', '/v1/messages?to=%2B447700900503&limit=5');
      assert(toCat.items.some((m) => m.text === `Hello friend, template ${stamp}`), 'the CSV number got the default');
    } finally {
      await apiCall(demo, 'PUT', '/v1/contact-settings', { default_country: '' });
    }

    // The same page on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Message', { exact: true }).fill(`Phone view ’quotes’ ${stamp}`);
    await page.getByTestId('highlighted').waitFor();
    await shot(page, 'send-ucs2-phone');
    // And in the dark theme, still readable (axe checks the contrast of the highlight).
    await page.getByRole('button', { name: /Use the dark theme/ }).click();
    await page.getByRole('button', { name: /Use the light theme/ }).waitFor();
    await shot(page, 'send-ucs2-phone-dark');
    const dark = await axe(page);
    assert(dark.length === 0, `no serious axe violations on Send in the dark theme: ${JSON.stringify(dark)}`);

    await waitFor('no console errors', () => true);
    assert(errors.length === 0, `no console errors or CSP violations, got:\n${errors.join('\n')}`);
  } finally {
    await ctx.close();
  }
}
