// The private safety check on two phones at 360 px: Alex finds it from Learn, answers one
// question, sees helplines with Germany (her time zone) first, and leaves with Quick exit,
// which takes the page's place in the history; Esc does the same. Sam, her partner, sees
// nothing of it. The exit site is answered by the test itself, so nothing leaves the machine.
// Every page is audited as it stands (overflow, axe, tap targets).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

const EXIT = 'https://www.bbc.com/weather';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
};

/** A 360 px phone whose visits to the exit site get a blank page from the test. */
async function phone360() {
  const context = await browser.newContext({
    viewport: { width: 360, height: 760 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB',
  });
  await context.route('https://www.bbc.com/**', (route) => route.fulfill({
    status: 200, contentType: 'text/html', body: '<!doctype html><title>Weather</title><p>Weather</p>',
  }));
  return context;
}

for (const backend of backends()) {
  describe(`the safety check on ${backend.name}`, () => {
    let tend;
    const env = { ...backend.env };
    if (env.TEND_DATABASE_SCHEMA) env.TEND_DATABASE_SCHEMA += '_support';
    before(async () => { tend = await startTend(env); });
    after(async () => { await tend?.stop(); });

    test('from Learn to helplines, then Quick exit; the partner sees nothing', { timeout: 120_000 }, async () => {
      const problems = [];
      const alex = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, alex.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const a = await (await phone360()).newPage();
      const s = await (await phone360()).newPage();
      await logIn(a, tend.base, 'alex@example.org');
      await logIn(s, tend.base, 'sam@example.org');
      const samBefore = await s.locator('main').textContent();

      // Learn leads to Getting support and to the check.
      await a.goto(`${tend.base}/learn`);
      await a.getByRole('link', { name: 'Getting support: therapy or coaching' }).click();
      await a.getByRole('heading', { level: 1, name: /Getting support/ }).waitFor();
      problems.push(...await audit(a, 'Getting support, 360'));
      await shot(a, 'support-360');
      await a.goto(`${tend.base}/learn`);
      await a.getByRole('link', { name: 'A private safety check' }).click();
      await a.waitForURL(/\/support\/safety$/);

      // Quick exit is the first thing on the page, in view at once.
      const exit = a.getByRole('link', { name: /Quick exit/ });
      const box = await exit.boundingBox();
      assert.ok(box && box.y < 200 && box.height >= 44 && box.width >= 44, `Quick exit at the top: ${JSON.stringify(box)}`);
      problems.push(...await audit(a, 'Safety check, 360'));
      await shot(a, 'safety-360');

      // One answer, nothing else required.
      await a.getByRole('group', { name: 'Do you ever feel afraid of your partner?' }).getByLabel('Yes').check();
      await a.getByRole('button', { name: 'Show me where to find help' }).click();
      await a.getByRole('heading', { level: 1, name: 'Thank you for answering' }).waitFor();
      const firstCountry = await a.locator('.helpline-country h3').first().textContent();
      assert.match(firstCountry, /Germany/, 'her own country first');
      assert.equal(await a.locator('a[href="tel:116016"]').count(), 1, 'a number to tap');
      assert.match(await a.locator('main').textContent(), /generally not advised/);
      assert.ok(await exit.isVisible(), 'Quick exit on the result too');
      problems.push(...await audit(a, 'Safety result, 360'));
      await shot(a, 'safety-result-360');

      // The partner's phone shows nothing new.
      await s.reload();
      const samAfter = await s.locator('main').textContent();
      for (const word of ['afraid', 'safety check', 'helpline']) {
        assert.equal(samBefore.includes(word), samAfter.includes(word), `nothing new about “${word}”`);
        assert.equal(samAfter.includes(word), false, `Sam’s Today says nothing of “${word}”`);
      }

      // Quick exit leaves at once.
      await exit.click();
      await a.waitForURL((url) => url.host === new URL(EXIT).host);
      assert.equal(new URL(a.url()).host, 'www.bbc.com');

      // Esc on the check leaves too, and Back skips the check: its entry was replaced.
      await a.goto(`${tend.base}/learn`);
      await a.getByRole('link', { name: 'A private safety check' }).click();
      await a.waitForURL(/\/support\/safety$/);
      await a.keyboard.press('Escape');
      await a.waitForURL((url) => url.host === new URL(EXIT).host);
      await a.goBack();
      await a.waitForLoadState();
      assert.equal(new URL(a.url()).pathname, '/learn', 'Back returns to Learn, not to the check');

      assert.deepEqual(problems, []);
    });
  });
}
