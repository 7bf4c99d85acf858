// A question exchange on two phones: both answer privately, nothing shows until both have,
// then both see both live; each answers the other's answer with a one-tap reply and a few
// words; the one who shared rates privately how it felt.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiPost, backends, launchBrowser, logIn, phone, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function live(page) {
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
}

for (const backend of backends()) {
  describe(`questions on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('answer, reveal, reply and rate, on two phones', { timeout: 60_000 }, async () => {
      const a = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, a.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const alex = await (await phone(browser)).newPage();
      const sam = await (await phone(browser)).newPage();
      await logIn(alex, tend.base, 'alex@example.org');
      await logIn(sam, tend.base, 'sam@example.org');

      // Both find today's question on Today and open it.
      await alex.getByRole('link', { name: 'Questions' }).click();
      await alex.locator('#today').getByRole('link', { name: 'Answer' }).click();
      await alex.waitForURL(/\/questions\/[a-z-]+-\d+$/);
      const question = new URL(alex.url()).pathname;
      await sam.goto(`${tend.base}${question}`);
      await live(sam);
      await live(alex);

      await alex.getByLabel('Your answer').fill('A slow breakfast on the balcony, no phones.');
      await alex.getByRole('button', { name: 'Answer', exact: true }).click();
      await alex.waitForURL(/done=answered/);
      await live(alex);
      await sam.locator('#exchange', { hasText: 'Alex has had their turn. Answer to see theirs.' }).waitFor({ timeout: 5_000 });
      assert.doesNotMatch(await sam.locator('main').textContent(), /balcony/, 'nothing shows before Sam answers');

      await sam.getByLabel('Your answer').fill('Walking to the bakery together and taking the long way back.');
      await sam.getByRole('button', { name: 'Answer', exact: true }).click();
      await sam.waitForURL(/done=answered/);
      assert.match(await sam.locator('.answer.theirs').textContent(), /balcony/);
      await alex.locator('.answer.theirs', { hasText: 'bakery' }).waitFor({ timeout: 5_000 });

      // Each answers the other's answer: one tap plus a few words.
      const firstReply = sam.locator('.reply-choice').first();
      const replyText = (await firstReply.textContent()).trim();
      await firstReply.click();
      await sam.getByLabel('And/or a few words of your own').fill('Saturday?');
      await sam.getByRole('button', { name: 'Send' }).click();
      await sam.waitForURL(/done=responded/);

      await alex.getByRole('heading', { name: 'Sam answered yours' }).waitFor({ timeout: 5_000 });
      assert.match(await alex.locator('.their-response').textContent(), new RegExp(`${replyText.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}.*Saturday\\?`));
      await alex.locator('.reply-choice').nth(2).click();
      await alex.getByRole('button', { name: 'Send' }).click();
      await alex.waitForURL(/done=responded/);

      // The one who shared rates privately.
      for (const [legend, value] of [['How understood did you feel?', '6'], ['How accepted?', '7'], ['How cared for?', '6']]) {
        await alex.locator('fieldset', { hasText: legend }).getByLabel(value, { exact: true }).check();
      }
      await alex.getByRole('button', { name: 'Save' }).click();
      await alex.waitForURL(/done=felt/);
      assert.match(await alex.locator('main').textContent(), /understood 6, accepted 7 and cared for 6 of 7/);
      await sam.reload();
      assert.doesNotMatch(await sam.locator('main').textContent(), /accepted 7/, 'the rating is Alex’s alone');
      await sam.getByRole('heading', { name: 'Alex answered yours' }).waitFor();

      // The exchange is kept in "Our answers", and search finds it.
      await sam.goto(`${tend.base}/questions/ours?q=bakery`);
      assert.match(await sam.locator('.ours-list').textContent(), /balcony/);
    });
  });
}
