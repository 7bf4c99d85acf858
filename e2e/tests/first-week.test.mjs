// A new couple's first week on two phones, 320 and 360 px wide, in light and dark: Today's one
// next step, a partner's check-in arriving live, the reveal with its "New" badge, today's
// question answered by both, and a conversation rated on the shared 1–7 scale. Every page is
// audited as it stands (overflow, axe, tap targets) — also in its live states.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

// Jonas lives elsewhere, but on Mira's date right now (a check-in is for its author's own
// date): New York from 06:00 in Berlin, Tokyo before 16:00, whichever fits when the test runs.
const dateIn = (timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
const [jonasZone, jonasPlace] = dateIn('America/New_York') === dateIn('Europe/Berlin')
  ? ['America/New_York', 'New York'] : ['Asia/Tokyo', 'Tokyo'];

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const backend of backends()) {
  for (const scheme of ['light', 'dark']) {
    describe(`the first week on ${backend.name}, ${scheme}`, () => {
      let tend;
      // A database of its own for each colour scheme: each run starts a new couple.
      const env = { ...backend.env, TEND_CONVERSATION_MINUTE_SECONDS: '1' };
      if (env.TEND_DATABASE_SCHEMA) env.TEND_DATABASE_SCHEMA += `_${scheme}`;
      before(async () => { tend = await startTend(env); });
      after(async () => { await tend?.stop(); });

      test('Today leads, live states stay accessible, at 320 and 360 px', { timeout: 120_000 }, async () => {
        const problems = [];
        const mira = await apiPost(tend.base, '/api/v1/auth/signup', {
          display_name: 'Mira', email: 'mira@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
        });
        const invite = await apiPost(tend.base, '/api/v1/invites', {}, mira.token);
        await apiPost(tend.base, '/api/v1/auth/signup', {
          display_name: 'Jonas', email: 'jonas@example.org', password: 'a long enough password', time_zone: jonasZone, invite: invite.code,
        });
        const context = (width, timezoneId) => browser.newContext({
          viewport: { width, height: 720 }, hasTouch: true, timezoneId, locale: 'en-GB', colorScheme: scheme,
        });
        const m = await (await context(320, 'Europe/Berlin')).newPage();
        const j = await (await context(360, jonasZone)).newPage();
        await logIn(m, tend.base, 'mira@example.org');
        await logIn(j, tend.base, 'jonas@example.org');

        // Day 1: one next step, and the first week's why beside it.
        assert.match(await m.locator('#next').textContent(), /Start with your check-in/);
        assert.match(await m.locator('#next').textContent(), /Your first week · day 1 of 7/);
        assert.match(await m.locator('main').textContent(), new RegExp(`for Jonas in ${jonasPlace}`));
        problems.push(...await audit(m, 'Today, day 1, 320'));
        problems.push(...await audit(j, 'Today, day 1, 360'));

        // Jonas checks in; Mira's Today turns to "Jonas is waiting for your check-in", live.
        await j.getByLabel('A high of your day').fill('A long walk');
        await j.locator('label.closeness-choice').nth(5).click();
        await j.getByRole('button', { name: 'Check in', exact: true }).click();
        await j.waitForURL(/checked-in/);
        await m.locator('#next').getByText('Jonas is waiting for your check-in').waitFor();
        problems.push(...await audit(m, 'Today, partner waiting, 320'));
        await m.getByLabel('A high of your day').fill('Coffee in the sun');
        await m.locator('label.closeness-choice').nth(4).click();
        await m.getByRole('button', { name: 'Check in', exact: true }).click();
        await m.waitForURL(/checked-in/);
        // Jonas's page shows Mira's check-in with its "New" badge.
        await j.locator('#partner-check-in').getByText('Coffee in the sun').waitFor();
        await j.reload();
        problems.push(...await audit(j, 'Today, revealed with New, 360'));
        assert.match(await m.locator('#next').textContent(), /Tell Jonas one thing you appreciate/);

        // Today's question, answered by both: the reveal page.
        await m.goto(`${tend.base}/today`);
        const questionHref = await m.locator('.today-list a', { hasText: 'Today’s question' }).getAttribute('href');
        for (const page of [m, j]) {
          await page.goto(`${tend.base}${questionHref}`);
          await page.getByLabel(/Your answer/).fill(`An answer from ${page === m ? 'Mira' : 'Jonas'}`);
          await page.getByRole('button', { name: /Share my answer|Answer/ }).first().click();
          await page.waitForURL(/done=/);
        }
        await m.reload();
        assert.match(await m.locator('main').textContent(), /An answer from Jonas/);
        problems.push(...await audit(m, 'Question revealed, 320'));

        // A conversation (one-second minutes), then its rating on the 1–7 scale.
        await m.goto(`${tend.base}/conversations`);
        problems.push(...await audit(m, 'Conversations, 320'));
        await m.getByRole('button', { name: /Start/ }).first().click();
        await j.goto(`${tend.base}/today`);
        await j.locator('#next').getByRole('button', { name: 'Join' }).click();
        await m.getByText('How did it feel?').or(m.getByText(/understood/)).first().waitFor({ timeout: 60_000 });
        problems.push(...await audit(m, 'Conversation rating, 320'));

        assert.deepEqual(problems, []);
      });
    });
  }
}
