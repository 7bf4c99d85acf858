// Our rhythm on two phones at 360 px: one partner proposes a weekly tech-free evening, the
// other sees "proposed by" live and says yes; then "Phones away" on one phone asks the other
// to join, both show the calm screen, and "We're back" on one brings both back.
// Set SCREENSHOTS=dir to keep a picture of each step.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { apiPost, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const narrow = (timezoneId) =>
  browser.newContext({ viewport: { width: 360, height: 760 }, hasTouch: true, timezoneId, locale: 'en-GB' });

async function live(page) {
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
}

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
}

for (const backend of backends()) {
  describe(`our rhythm on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('propose, accept, and a tech-free evening on two phones', { timeout: 90_000 }, async () => {
      const a = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Mira', email: 'mira@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, a.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Jo', email: 'jo@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const mira = await (await narrow('Europe/Berlin')).newPage();
      const jo = await (await narrow('Europe/Berlin')).newPage();
      await logIn(mira, tend.base, 'mira@example.org');
      await logIn(jo, tend.base, 'jo@example.org');

      // Mira proposes Thursdays from 19:30 for the tech-free evening.
      await mira.getByRole('link', { name: 'Rhythm', exact: true }).click();
      await mira.waitForURL(/\/rhythm/);
      const evening = mira.locator('#tech-free-evening');
      await evening.getByText('Propose a time').click();
      await evening.getByLabel('Day').selectOption('thursday');
      await evening.getByLabel('From').fill('19:30');
      await evening.getByRole('button', { name: 'Propose' }).click();
      await mira.waitForURL(/done=proposed/);
      assert.match(await mira.locator('#tech-free-evening').textContent(), /You proposed\s+Thursdays from 19:30\. Waiting for Jo/);
      const overflow = await mira.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the rhythm page fits 360 px (overflows by ${overflow} px)`);
      await shot(mira, '1-proposed');

      // Jo, already on the page, sees it arrive live and says yes.
      await jo.goto(`${tend.base}/rhythm`);
      await live(jo);
      await mira.locator('#tech-free-evening').getByRole('button', { name: 'Take it back' }).waitFor();
      await jo.locator('#tech-free-evening').getByText('Mira proposed').waitFor();
      await shot(jo, '2-partner-sees-proposal');
      await jo.locator('#tech-free-evening').getByRole('button', { name: 'Yes, let’s' }).click();
      await jo.waitForURL(/done=agreed/);
      assert.match(await jo.locator('#tech-free-evening').textContent(), /Agreed:\s+Thursdays from 19:30/);

      // Phones away: Mira taps it; Jo's Today asks to join, live.
      await jo.goto(`${tend.base}/today`);
      await live(jo);
      await mira.goto(`${tend.base}/tech-free`);
      await shot(mira, '3-tech-free');
      await mira.getByRole('button', { name: 'Phones away' }).click();
      await mira.locator('body.calm').waitFor();
      assert.match(await mira.locator('main').textContent(), /Waiting for Jo to join/);
      await shot(mira, '4-calm-waiting');
      await jo.getByText('Mira put their phone away. Join?').waitFor();
      await shot(jo, '5-join-prompt');
      await jo.getByRole('button', { name: 'Phones away' }).click();
      await jo.locator('body.calm').waitFor();
      await mira.getByText('Enjoy each other.').waitFor();
      await shot(jo, '6-calm-together');

      // "We're back" on Jo's phone brings both back; Mira notes what they did.
      await jo.getByRole('button', { name: 'We’re back' }).click();
      await jo.waitForURL(/done=back/);
      await mira.getByLabel(/What did you do\?/).waitFor();
      await mira.getByLabel(/What did you do\?/).fill('Cooked together and played cards');
      await mira.getByRole('button', { name: 'Save' }).click();
      await mira.waitForURL(/done=noted/);
      await jo.reload();
      assert.match(await jo.locator('#after').textContent(), /Cooked together and played cards/);
      await shot(jo, '7-after');

      // The week shows it done.
      await jo.goto(`${tend.base}/rhythm`);
      assert.match(await jo.locator('.week-row', { hasText: 'Tech-free evening' }).textContent(), /Done/);
      await shot(jo, '8-week');

      // Jo chooses a reminder for the check-in and quiet hours; Mira nudges Jo from Today.
      await jo.goto(`${tend.base}/reminders`);
      await jo.getByLabel('Daily check-in by notification').check();
      await jo.getByLabel('From').fill('22:30');
      await jo.getByLabel('Until').fill('07:30');
      await shot(jo, '9-reminders');
      await jo.getByRole('button', { name: 'Save reminders' }).click();
      await jo.waitForURL(/done=reminders-saved/);
      assert.equal(await jo.getByLabel('Daily check-in by notification').isChecked(), true);
      assert.equal(await jo.getByLabel('From').inputValue(), '22:30');
      await mira.goto(`${tend.base}/today`);
      await mira.getByText('Send Jo a gentle nudge').click();
      await mira.getByRole('button', { name: 'Nudge Jo' }).click();
      await mira.waitForURL(/done=nudged/);
      await jo.goto(`${tend.base}/today`);
      await jo.getByText('Mira would love a check-in with you today.').waitFor();
      await shot(jo, '10-nudged');
    });
  });
}
