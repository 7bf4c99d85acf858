// The daily practices on two phones: a check-in appears as "waiting for you" on the
// partner's open Today page without a reload, both see both once both have checked in, and
// an appreciation and its reaction arrive live; a starter keeps the kind chosen, and a
// reaction and words are both kept. Set SCREENSHOTS=dir to keep a picture of each step.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost as api, backends, launchBrowser, logIn, phone, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** How far the page's main content reaches past the right edge, in px (the site header is
 * checked on its own). */
const overflowOfMain = () => Math.max(0, ...[...document.querySelectorAll('main, main *')]
  .map((e) => Math.ceil(e.getBoundingClientRect().right - window.innerWidth)));

async function shot(page, name, locator) {
  if (!process.env.SCREENSHOTS) return;
  const path = join(process.env.SCREENSHOTS, `${name}.png`);
  await (locator ? locator.screenshot({ path }) : page.screenshot({ path, fullPage: true }));
}

/** The page fits 320 and 360 px without sideways scrolling; ends at 360 px. */
async function fitsPhones(page) {
  const before = page.viewportSize();
  for (const width of [320, 360]) {
    await page.setViewportSize({ width, height: before?.height ?? 760 });
    const overflow = await page.evaluate(overflowOfMain);
    assert.ok(overflow <= 0, `${page.url()}: main content overflows ${width} px by ${overflow} px`);
  }
}

/** Days from tomorrow to the month's end, in a time zone. */
function daysLeftInMonth(timeZone) {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date()).split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate() - d;
}

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

      // Alex chooses Respect, then a starter: only Respect's starters are offered, and the
      // kind stays Respect. It appears on Sam's page live.
      const form = alex.locator('.appreciation-form');
      await form.locator('.kind-choice', { hasText: 'Respect' }).click();
      await alex.getByText('Stuck? Start from one of these').click();
      assert.equal(await form.locator('[data-starter-group]:visible').count(), 1, 'only the chosen kind’s starters');
      const starter = form.locator('[data-starter-kind="respect"]').first();
      assert.ok(await starter.isVisible());
      assert.equal(await form.locator('[data-starter-kind="gratitude"]:visible').count(), 0);
      const target = await starter.boundingBox();
      assert.ok(target && target.height >= 44, `a starter is ${target?.height} px tall`);
      await fitsPhones(alex);
      await shot(alex, 'daily-1-starters-respect-360', form);
      const opening = (await starter.textContent()).replace('…', '').trim();
      await starter.click();
      const body = alex.getByLabel('What you appreciate');
      assert.ok((await body.inputValue()).startsWith(opening));
      assert.equal(await form.locator('input[name="kind"]:checked').getAttribute('value'), 'respect', 'the kind chosen stays');
      await body.press('End');
      await body.pressSequentially('making tea without asking.');
      await alex.getByRole('button', { name: 'Send appreciation' }).click();
      await alex.waitForURL(/done=appreciated/);
      const appreciationMs = await timeUntil(sam.locator('#appreciations-today'), 'making tea without asking.');
      assert.match(await sam.locator('#appreciations-today .kind-tag').first().textContent(), /Respect/);

      // Sam reacts; Alex sees the reaction arrive.
      await sam.locator('#appreciations-today').getByRole('button', { name: /Sending a hug/ }).click();
      await sam.waitForURL(/done=reacted/);
      const reactionMs = await timeUntil(alex.locator('#appreciations-today'), 'Sending a hug');

      // Then Sam adds a few words: the hug stays, and Alex sees both.
      const received = sam.locator('#appreciations-today .appreciation').first();
      await received.getByText('Add a few words').click();
      await received.getByLabel('A few words back').fill('You noticed!');
      await received.getByRole('button', { name: 'Send', exact: true }).click();
      await sam.waitForURL(/done=reacted/);
      const given = alex.locator('#appreciations-today .appreciation').first();
      await given.filter({ hasText: 'You noticed!' }).waitFor({ timeout: 5_000 });
      assert.match(await given.locator('.reaction').textContent(), /Sending a hug[\s\S]*You noticed!/);
      await fitsPhones(sam);
      await shot(sam, 'daily-2-answered-sam-360', sam.locator('#appreciations-today'));
      await shot(alex, 'daily-3-answered-alex-360', alex.locator('#appreciations-today'));

      console.log(`live update delays (ms): waiting ${waitingMs}, reveal ${revealMs}, appreciation ${appreciationMs}, reaction ${reactionMs}`);
      for (const ms of [waitingMs, revealMs, appreciationMs, reactionMs]) assert.ok(ms < 1_000, `${ms} ms`);

      // Without JavaScript the same pages still work on reload.
      const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      const page = await plain.newPage();
      await logIn(page, tend.base, 'alex@example.org');
      assert.match(await page.locator('#partner-check-in').textContent(), /Pancakes for breakfast/);
      await page.goto(`${tend.base}/rhythm`);
      assert.match(await page.locator('.calendar').innerHTML(), /both of you checked in/);
      // Days after today are still to come, not quiet days.
      const ahead = daysLeftInMonth('Europe/Berlin');
      assert.equal(await page.locator('.calendar .day-cell.future').count(), ahead);
      assert.equal(await page.locator('.calendar .day-cell.future', { hasText: 'still to come' }).count(), ahead);
      assert.equal(await page.locator('.legend', { hasText: 'still to come' }).count(), ahead > 0 ? 1 : 0);
      await fitsPhones(page);
      await shot(page, 'daily-4-days-we-connected-360', page.locator('.month'));
      await plain.close();
      await alexContext.close();
      await samContext.close();
    });
  });
}
