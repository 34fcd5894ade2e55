// The audience pages through the browser: import a CSV of 1,000 contacts
// (made here, uploaded with setInputFiles) and watch the job reach 1,000
// imported, find contacts by name and phone, make a list and add members,
// build a segment and read its live count, write a template and read its
// preview. The context keeps the gateway's CSP: a CSP violation or a page
// error fails.
import { readFileSync } from 'node:fs';
import { assert, axe, shot, signIn, waitFor } from '../harness.mjs';

/** axeMain checks this spec's parts of the page; the frame is 90-every-page's. */
const axeMain = (page) => axe(page, { include: ['main'] });

const rows = 1000;

function contactsCSV() {
  const lines = ['phone,first_name,last_name,email,tags,tier'];
  for (let i = 0; i < rows; i++) {
    const phone = `+44770095${String(i).padStart(4, '0')}`;
    const [first, last] = i === 7 ? ['Zelda', 'Quartermain'] : [`Person${i}`, `Family${i % 37}`];
    lines.push(`${phone},${first},${last},p${i}@example.com,${i % 4 === 0 ? 'vip' : ''},${i % 10 === 0 ? 'gold' : 'silver'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** go moves the signed-in app to path without reloading it (as its links do). */
async function go(page, path) {
  await page.evaluate((p) => {
    window.history.pushState({}, '', p);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.waitForURL((u) => u.pathname + u.search === path);
}

/** dataRows counts the grid's data rows (the header row is not one). */
async function dataRows(page, grid) {
  return page.getByRole('grid', { name: grid }).locator('[role="row"][data-id]').count();
}

const t0 = Date.now();
const mark = (what) => process.env.E2E_TIMING && console.log(`     ${what}: ${Date.now() - t0} ms`);

export default async function ({ browser, demo }) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await signIn(page, demo, '/contacts/imports');
    await page.waitForURL(/\/contacts\/imports$/);
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

    // Upload: the dry run shows the guessed mapping and the first rows.
    const started = Date.now();
    await page.getByTestId('import-file').setInputFiles({ name: 'contacts-1000.csv', mimeType: 'text/csv', buffer: Buffer.from(contactsCSV()) });
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await mapping.waitFor({ timeout: 20_000 });
    await mapping.getByRole('row', { name: /tier/ }).getByText('Custom field tier').waitFor();
    await mapping.getByRole('row', { name: /^phone/ }).getByText('Phone', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Import preview' }).getByText('+447700950001').waitFor();
    await shot(page, 'flow-import-mapping');
    mark('flow-import-mapping');

    // The real import: its progress is polled until 1,000 imported.
    await page.getByRole('button', { name: 'Import contacts-1000.csv' }).click();
    await page.waitForURL(/\/contacts\/imports\?job=\d+$/);
    const progress = page.getByRole('region', { name: /^Import \d+$/ });
    await waitFor(
      'the import to reach 1,000 imported',
      async () => (await progress.getByTestId('import-imported').textContent()).replace(/\D/g, '') === String(rows),
      60_000,
      250,
    );
    await progress.getByText('completed').waitFor({ timeout: 20_000 });
    const importMs = Date.now() - started;
    await shot(page, 'flow-import-done');
    mark('flow-import-done');
    await page.getByRole('grid', { name: 'Past imports' }).getByText('completed').first().waitFor();

    // Listed and searchable, by name and by phone prefix.
    await page.getByRole('tab', { name: 'All contacts' }).click();
    await page.waitForURL(/\/contacts$/);
    const grid = page.getByRole('grid', { name: 'Contacts' });
    await grid.locator('[role="row"][data-id]').first().waitFor({ timeout: 20_000 });
    await page.getByLabel('Search').fill('Zelda Quarter');
    await waitFor('one contact named Zelda', async () => (await dataRows(page, 'Contacts')) === 1 && (await grid.getByText('Quartermain').count()) === 1);
    await page.getByLabel('Search').fill('+44 7700 950 99');
    await waitFor('ten contacts with phones +4477009509 9x', async () => (await dataRows(page, 'Contacts')) === 10 && (await grid.getByText('+447700950999').count()) === 1);
    await shot(page, 'flow-contacts-search');
    mark('flow-contacts-search');
    await grid.getByText('+447700950999').click();
    const details = page.getByRole('region', { name: 'Contact details' });
    await details.getByText('Person999 Family0').waitFor();
    await details.getByRole('cell', { name: 'silver' }).waitFor();
    await details.getByRole('button', { name: 'Close details' }).click();

    // A contact form answered by the API's problem on its field, then created.
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('dialog', { name: 'New contact' });
    await form.getByLabel('Phone').fill('12ab');
    await form.getByRole('button', { name: 'Create contact' }).click();
    await form.getByRole('alert').waitFor();
    assert((await form.getByLabel('Phone').getAttribute('aria-invalid')) === 'true', 'the phone field shows the API problem');
    await form.getByLabel('Phone').fill('+447700959999');
    await form.getByLabel('First name').fill('Newton');
    await form.getByRole('button', { name: 'Create contact' }).click();
    await form.waitFor({ state: 'detached' });
    await details.getByText('Newton').first().waitFor();
    await details.getByRole('button', { name: 'Close details' }).click();

    // Export: the whole address book as a CSV download.
    await page.getByLabel('Search').fill('');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert(csv[0].startsWith('phone,first_name,last_name,email,language,time_zone,tags'), `the export's header, got ${csv[0]}`);
    assert(csv.length >= rows + 2 && csv.some((l) => l.startsWith('+447700959999,Newton')), `the export holds the imported and created contacts, got ${csv.length - 1} rows`);

    // A list with two members added by phone.
    await go(page, '/lists');
    await page.getByRole('button', { name: 'New list' }).first().click();
    await page.getByLabel('List name').fill('E2E list');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.waitForURL(/\/lists\/\d+$/);
    const listPath = new URL(page.url()).pathname;
    await page.getByLabel('Phones').fill('+447700950001\n+447700950002');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await page.getByText('2 added').waitFor();
    await waitFor('two members listed', async () => (await dataRows(page, 'List members')) === 2);
    await page.getByText('2 members').waitFor();
    await shot(page, 'flow-list-members');
    mark('flow-list-members');

    // A segment: tag vip (every fourth row) and its live count.
    await go(page, '/lists/segments/new');
    await page.getByLabel('Segment name').fill('VIPs');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Value 1').fill('vip');
    await waitFor('the preview count of 250', async () => (await page.getByTestId('segment-count').textContent()).replace(/\D/g, '') === '250');
    await page.getByRole('table', { name: 'Sample contacts' }).getByText('+447700950000').waitFor();
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(/\/lists\/segments\/\d+$/);
    const segmentPath = new URL(page.url()).pathname;
    await shot(page, 'flow-segment-preview');
    mark('flow-segment-preview');

    // A template: a chip inserts a placeholder, the preview renders it.
    await go(page, '/templates/new');
    await page.getByLabel('Template name').fill('Welcome');
    const body = page.getByLabel('Message text');
    await body.fill('Hello ');
    await body.press('End');
    await page.getByRole('button', { name: '{{first_name}}' }).click();
    await body.press('End');
    await body.pressSequentially(', welcome! ');
    await page.getByRole('button', { name: '{{optout}}' }).click();
    const text = page.getByTestId('template-preview-text');
    await waitFor('the rendered preview', async () => (await text.textContent()) === 'Hello Ada, welcome! Reply STOP to unsubscribe', 20_000);
    await page.getByTestId('template-preview-segments').getByText('1 segment').waitFor();
    await page.getByRole('region', { name: 'Template preview' }).getByText('GSM-7').waitFor();
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/\/templates\/\d+$/);
    const templatePath = new URL(page.url()).pathname;
    await shot(page, 'flow-template-preview');
    mark('flow-template-preview');
    await go(page, '/templates');
    await page.getByRole('grid', { name: 'Templates' }).getByRole('gridcell', { name: 'Welcome', exact: true }).waitFor();

    // Opt-outs: one added by hand, two from a CSV, the first opted in again.
    await go(page, '/opt-outs');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('textbox', { name: 'Numbers' }).fill('+447700950005');
    await page.getByRole('button', { name: 'Opt out 1' }).click();
    const optouts = page.getByRole('grid', { name: 'Opt-outs' });
    await optouts.getByText('+447700950005').waitFor();
    await page.locator('input[aria-label="Opt-outs CSV file"]').setInputFiles({ name: 'stop.csv', mimeType: 'text/csv', buffer: Buffer.from('number\n+447700950010\n+447700950011\nnot-a-number\n') });
    await page.getByText(/2 numbers opted out from 4 lines; 1 rejected/).waitFor();
    await optouts.getByText('+447700950011').waitFor();
    await shot(page, 'flow-optouts');
    mark('flow-optouts');
    await page.getByRole('button', { name: 'Opt +447700950005 in again' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Opt in again' }).click();
    await waitFor('the number opted in again', async () => (await optouts.getByText('+447700950005').count()) === 0);

    assert(errors.length === 0, `no CSP violations or page errors, got:\n${errors.join('\n')}`);
    await subPages(browser, demo, ['/contacts', '/lists', '/templates', '/opt-outs', '/contacts/imports', '/contacts/fields', '/lists/segments', listPath, segmentPath, templatePath], ['/contacts', segmentPath, templatePath]);
    console.log(`     1,000-contact import through the page: ${importMs} ms from choosing the file to completed`);
  } finally {
    await ctx.close();
  }
}

/**
 * subPages screenshots the audience pages below the navigation's (90-every-page
 * covers those) on a desktop and a phone, and checks them with axe-core.
 */
async function subPages(browser, demo, paths, darkPaths) {
  const problems = [];
  // One signed-in page, resized from a desktop to a phone.
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  const page = await ctx.newPage();
  try {
    await signIn(page, demo);
    for (const vp of [{ name: 'desktop', width: 1440, height: 900 }, { name: 'phone', width: 390, height: 844 }, { name: 'phone-dark', width: 390, height: 844 }]) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      if (vp.name.endsWith('-dark')) {
        await page.getByRole('button', { name: /Use the dark theme/ }).click();
        await page.getByRole('button', { name: /Use the light theme/ }).waitFor();
      }
      // The dark theme on the pages with the most colour: the contacts grid, a segment, a template.
      const here = vp.name.endsWith('-dark') ? darkPaths : paths;
      for (const p of here) {
        await go(page, p);
        await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 });
        await page.waitForFunction(() => !document.querySelector('main .MuiSkeleton-root, main .MuiCircularProgress-root, main .MuiLinearProgress-indeterminate, main .MuiDataGrid-cellSkeleton, main .MuiDataGrid-overlay'));
        if (vp.name === 'desktop') await page.locator(`nav a.active[href="/${p.split('/')[1]}"]`).waitFor({ timeout: 5_000 });
        // What each page fetches after its first render: the template's preview, the segment's count.
        if (/^\/templates\/\d+$/.test(p)) await page.getByTestId('template-preview-text').waitFor();
        if (/^\/lists\/segments\/\d+$/.test(p)) await page.getByTestId('segment-count').getByText(/\d/).waitFor();
        await page.waitForFunction(() => [...document.querySelectorAll('.MuiTabs-indicator')].every((e) => e.getAnimations().length === 0));
        mark(`${p} ${vp.name} loaded`);
        await shot(page, `${p.slice(1).replaceAll('/', '-')}-${vp.name}`);
        for (const v of await axeMain(page)) problems.push(`${p} (${vp.name}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      }
      // The contact drawer and the edit form, on the contacts page.
      if (vp.name.endsWith('-dark')) continue;
      await go(page, '/contacts?q=Zelda');
      await page.getByText('Quartermain').first().click();
      await page.getByRole('region', { name: 'Contact details' }).getByRole('button', { name: 'Edit' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit contact' });
      await dialog.waitFor();
      await waitFor('the edit form shown', async () => (await dialog.evaluate((d) => getComputedStyle(d.closest('.MuiDialog-root .MuiDialog-container') ?? d).opacity)) === '1');
      await dialog.getByLabel('Phone').waitFor();
      await shot(page, `contacts-edit-${vp.name}`);
      mark(`contacts-edit-${vp.name}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      await page.getByRole('region', { name: 'Contact details' }).waitFor({ state: 'detached' });
    }
  } finally {
    await ctx.close();
  }
  assert(problems.length === 0, `no serious or critical accessibility violations:\n${problems.join('\n')}`);
}
