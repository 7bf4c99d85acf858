// Your data is yours, on two phones at 320 and 360 px: Mira downloads everything she may see
// as one ZIP from Settings, reads what deleting her account would do, is refused with a wrong
// password, then deletes it; Jonas is left unpaired with his own words in "Your past words".
// Every page is audited as it stands (overflow, axe, tap targets).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
};

for (const backend of backends()) {
  describe(`your data on ${backend.name}`, () => {
    let tend;
    const env = { ...backend.env };
    if (env.TEND_DATABASE_SCHEMA) env.TEND_DATABASE_SCHEMA += '_yourdata';
    before(async () => { tend = await startTend(env); });
    after(async () => { await tend?.stop(); });

    test('export, delete with a clear confirm, and past words for the partner', { timeout: 120_000 }, async () => {
      const problems = [];
      const mira = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Mira', email: 'mira@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, mira.token);
      const jonas = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Jonas', email: 'jonas@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      await apiPost(tend.base, '/api/v1/appreciations', { kind: 'gratitude', body: 'Thank you for the soup, Mira.' }, jonas.token);
      await apiPost(tend.base, '/api/v1/appreciations', { kind: 'admiration', body: 'The way you laughed at the rain.' }, mira.token);

      const context = (width) => browser.newContext({
        viewport: { width, height: 720 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB', acceptDownloads: true,
      });
      const m = await (await context(320)).newPage();
      const j = await (await context(360)).newPage();
      await logIn(m, tend.base, 'mira@example.org');
      await logIn(j, tend.base, 'jonas@example.org');

      // Settings: download everything as one ZIP.
      await m.goto(`${tend.base}/settings`);
      await m.locator('#your-data').scrollIntoViewIfNeeded();
      problems.push(...await audit(m, 'Settings, 320'));
      await shot(m, 'settings-320');
      const [download] = await Promise.all([
        m.waitForEvent('download'),
        m.locator('#your-data').getByRole('link', { name: 'Download my data' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^tend-export-\d{4}-\d{2}-\d{2}\.zip$/);
      const zip = readFileSync(await download.path());
      assert.equal(zip.subarray(0, 2).toString(), 'PK', 'a ZIP file');
      assert.ok(zip.includes('data.json') && zip.includes('index.html'), 'with the data and the archive');

      // The confirm page says what goes and what stays before anything happens.
      await m.getByRole('link', { name: /Delete my account/ }).click();
      await m.getByRole('heading', { name: 'Delete your account?' }).waitFor();
      assert.match(await m.locator('main').textContent(), /What will go[\s\S]*What stays/);
      problems.push(...await audit(m, 'Delete account, 320'));
      await shot(m, 'delete-320');
      await m.getByLabel(/password/i).fill('not my password');
      await m.getByRole('button', { name: /Delete my account/ }).click();
      await m.locator('main').getByText(/password/i).first().waitFor();
      problems.push(...await audit(m, 'Delete account, wrong password, 320'));
      await shot(m, 'delete-wrong-320');
      await m.getByLabel(/password/i).fill('a long enough password');
      await m.getByRole('button', { name: /Delete my account/ }).click();
      await m.waitForURL((url) => !url.pathname.startsWith('/settings'));
      problems.push(...await audit(m, 'After deleting, 320'));
      await shot(m, 'deleted-320');

      // Jonas is unpaired; his own words are in "Your past words", Mira's are gone.
      await j.goto(`${tend.base}/past-words`);
      problems.push(...await audit(j, 'Your past words, 360'));
      await shot(j, 'past-words-list-360');
      await j.locator('main a[href^="/past-words/"]').first().click();
      await j.waitForURL(/\/past-words\/\d+/);
      const past = await j.locator('main').textContent();
      assert.match(past, /Thank you for the soup, Mira\./);
      assert.doesNotMatch(past, /laughed at the rain/);
      problems.push(...await audit(j, 'Your past words of one couple, 360'));
      await shot(j, 'past-words-360');
      await j.goto(`${tend.base}/pair`);
      problems.push(...await audit(j, 'Pair again, 360'));
      await shot(j, 'pair-after-360');

      assert.deepEqual(problems, []);
    });
  });
}
