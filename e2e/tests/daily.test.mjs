// The daily practices on two phones: a check-in appears as "waiting for you" on the
// partner's open Today page without a reload, both see both once both have checked in, and
// an appreciation and its reaction arrive live.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiPost as api, backends, launchBrowser, logIn, phone, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Waits for `text` in `locator` and returns how long it took, in milliseconds. */
async function timeUntil(locator, text) {
  const start = Date.now();
  await locator.filter({ hasText: text }).waitFor({ timeout: 5_000 });
  return Date.now() - start;
}

for (const backend of backends()) {
  describe(`daily practices on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('check-in reveal and appreciations, live on both phones', async () => {
      const alexSignup = await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await api(tend.base, '/api/v1/invites', {}, alexSignup.token);
      await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });

      const alexContext = await phone(browser);
      const samContext = await phone(browser);
      const alex = await alexContext.newPage();
      const sam = await samContext.newPage();
      await logIn(alex, tend.base, 'alex@example.org');
      await logIn(sam, tend.base, 'sam@example.org');
      await sam.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await alex.waitForFunction(() => document.documentElement.dataset.live === 'connected');

      // Alex checks in; Sam's open page says so, without showing what.
      await alex.getByLabel('A high of your day').fill('Walking home in the snow');
      await alex.getByLabel('A low of your day').fill('A long meeting');
      await alex.getByText('5 · Fairly close').click();
      await alex.getByRole('button', { name: 'Check in' }).click();
      await alex.waitForURL(/done=checked-in/);
      const waitingMs = await timeUntil(sam.locator('#partner-check-in'), 'Alex has checked in.');
      assert.doesNotMatch(await sam.locator('main').textContent(), /Walking home in the snow/);

      // Sam checks in; now both see both, Alex's page without a reload.
      await sam.getByLabel('A high of your day').fill('Pancakes for breakfast');
      await sam.getByText('6 · Very close').click();
      await sam.getByRole('button', { name: 'Check in' }).click();
      await sam.waitForURL(/done=checked-in/);
      assert.match(await sam.locator('#partner-check-in').textContent(), /Walking home in the snow/);
      const revealMs = await timeUntil(alex.locator('#partner-check-in'), 'Pancakes for breakfast');

      // Alex appreciates Sam, starting from a starter; it appears on Sam's page live.
      await alex.getByText('Stuck? Start from one of these').click();
      const starter = alex.locator('[data-starter]').first();
      const opening = (await starter.textContent()).replace('…', '').trim();
      await starter.click();
      const body = alex.getByLabel('What you appreciate');
      assert.ok((await body.inputValue()).startsWith(opening));
      await body.press('End');
      await body.pressSequentially('making tea without asking.');
      await alex.getByRole('button', { name: 'Send appreciation' }).click();
      await alex.waitForURL(/done=appreciated/);
      const appreciationMs = await timeUntil(sam.locator('#appreciations-today'), 'making tea without asking.');

      // Sam reacts; Alex sees the reaction arrive.
      await sam.locator('#appreciations-today').getByRole('button', { name: /Sending a hug/ }).click();
      await sam.waitForURL(/done=reacted/);
      const reactionMs = await timeUntil(alex.locator('#appreciations-today'), 'Sending a hug');

      console.log(`live update delays (ms): waiting ${waitingMs}, reveal ${revealMs}, appreciation ${appreciationMs}, reaction ${reactionMs}`);
      for (const ms of [waitingMs, revealMs, appreciationMs, reactionMs]) assert.ok(ms < 1_000, `${ms} ms`);

      // Without JavaScript the same pages still work on reload.
      const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      const page = await plain.newPage();
      await logIn(page, tend.base, 'alex@example.org');
      assert.match(await page.locator('#partner-check-in').textContent(), /Pancakes for breakfast/);
      await page.getByRole('link', { name: 'Days we connected' }).click();
      assert.match(await page.locator('.calendar').innerHTML(), /both of you checked in/);
      await plain.close();
      await alexContext.close();
      await samContext.close();
    });
  });
}
