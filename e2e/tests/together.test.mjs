// Play and goals on two phones at 360 px: both mark ideas and only the mutual ones show as
// matches (a "not for me" never shows); a plan is proposed and accepted and lands on both
// Todays; a goal is made, cheered and completed, and the partner's Today celebrates it.
// Set SCREENSHOTS=dir to keep a picture of each step.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const narrow = () =>
  browser.newContext({ viewport: { width: 360, height: 760 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB' });

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `together-${name}.png`), fullPage: true });
}

async function fits(page, what) {
  assert.deepEqual(await audit(page, what), []);
}

// Taps one of Yes / Maybe / Not for me on an idea's card and waits for the page to come back.
async function mark(page, idea, label) {
  const card = page.locator(`#idea-${idea}`);
  await card.getByRole('button', { name: label, exact: true }).click();
  await page.waitForLoadState('load');
}

// Tomorrow's date as the date field wants it, in Berlin.
function tomorrow() {
  const d = new Date(Date.now() + 24 * 3600 * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(d);
}

for (const backend of backends()) {
  describe(`play and goals on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('matches, a plan and a goal on two phones', { timeout: 120_000 }, async () => {
      const a = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Mira', email: 'mira-t@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, a.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Jo', email: 'jo-t@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const mira = await (await narrow()).newPage();
      const jo = await (await narrow()).newPage();
      await logIn(mira, tend.base, 'mira-t@example.org');
      await logIn(jo, tend.base, 'jo-t@example.org');

      // Mira finds Play under Practices and marks three ideas.
      await mira.goto(`${tend.base}/practices`);
      await mira.getByRole('link', { name: /Play/ }).first().click();
      await mira.waitForURL(/\/play/);
      await shot(mira, '1-ideas');
      await fits(mira, 'the ideas page');
      await mark(mira, 'learn-backgammon', 'Yes');
      await mark(mira, 'card-tower-race', 'Yes');
      await mark(mira, 'cooperative-board-game', 'Not for me');
      assert.doesNotMatch(await mira.locator('main').textContent(), /It’s a match/);

      // Jo says maybe to one Mira liked (a match), no to another, yes to the one Mira declined.
      await jo.goto(`${tend.base}/play`);
      await mark(jo, 'card-tower-race', 'Not for me');
      await mark(jo, 'cooperative-board-game', 'Yes');
      assert.doesNotMatch(await jo.locator('main').textContent(), /It’s a match/, 'a one-sided yes is no match');
      await mark(jo, 'learn-backgammon', 'Maybe');
      assert.match(await jo.locator('.play-matched').textContent(), /It’s a match/);
      await shot(jo, '2-match');

      // Both see exactly one match; nothing tells either of them about the other's "not for me".
      const backgammon = /backgammon/i;
      for (const page of [mira, jo]) {
        await page.goto(`${tend.base}/play/matches`);
        const matches = page.locator('#matches');
        assert.match(await matches.textContent(), backgammon);
        assert.equal(await matches.locator('li.play-idea').count(), 1, 'one match');
      }
      const miraMatches = await mira.locator('main').textContent();
      assert.doesNotMatch(miraMatches, /tower/i, "Jo's no on the card tower is not shown");
      assert.doesNotMatch(await jo.locator('main').textContent(), /co-?operative/i, "Mira's no is not shown");
      await shot(mira, '3-matches');
      await fits(mira, 'the matches page');

      // Mira proposes tomorrow evening; Jo says yes; it is on both Todays.
      const matchCard = mira.locator('#matches li.play-idea').first();
      await matchCard.locator('summary', { hasText: 'Plan it' }).click();
      await matchCard.getByLabel('Day').fill(tomorrow());
      await matchCard.getByLabel('Time').fill('19:30');
      await matchCard.getByRole('button', { name: 'Suggest this time' }).click();
      await mira.waitForLoadState('load');
      await jo.goto(`${tend.base}/today`);
      assert.match(await jo.locator('main').textContent(), /Mira would like to plan/);
      await jo.goto(`${tend.base}/play/matches`);
      await jo.getByRole('button', { name: 'Yes, let’s' }).first().click();
      await jo.waitForLoadState('load');
      await shot(jo, '4-plan-accepted');
      for (const page of [mira, jo]) {
        await page.goto(`${tend.base}/today`);
        assert.match(await page.locator('.today-list').textContent(), /Coming up: .*backgammon/i);
      }

      // Mira keeps a goal; Jo cheers it on; Mira finishes it and Jo's Today celebrates.
      await mira.goto(`${tend.base}/goals`);
      await mira.getByRole('link', { name: 'Add a goal' }).first().click();
      await mira.getByLabel('My goal').fill('Run 5 km without stopping');
      await mira.getByLabel(/Why it matters to me/).fill('To feel strong again');
      await mira.getByRole('button', { name: 'Add my goal' }).click();
      await mira.waitForURL(/\/goals\/\d+/);
      const goalUrl = mira.url();
      await shot(mira, '5-goal');
      await fits(mira, 'a goal page');

      await jo.goto(`${tend.base}/goals`);
      assert.match(await jo.locator('main').textContent(), /Run 5 km without stopping/);
      await jo.getByRole('link', { name: 'Cheer on' }).first().click();
      // "Send encouragement" is the choice open from the start.
      await jo.getByLabel('Your words for Mira').fill('You’ve got this!');
      await jo.getByRole('button', { name: 'Send encouragement' }).click();
      await jo.waitForLoadState('load');
      await shot(jo, '6-cheered');
      await fits(jo, 'the cheered goal');

      await mira.goto(goalUrl);
      assert.match(await mira.locator('main').textContent(), /You’ve got this!/);
      await mira.getByRole('button', { name: /Mark it done/ }).click();
      await mira.waitForLoadState('load');
      await jo.goto(`${tend.base}/today`);
      assert.match(await jo.locator('.celebrate').textContent(), /Mira did it: “Run 5 km without stopping” is done!/);
      await shot(jo, '7-celebrate');
      await fits(jo, 'Today with a celebration');

      // The hug page suggests the same touch idea on both phones.
      await mira.goto(`${tend.base}/hugs`);
      await jo.goto(`${tend.base}/hugs`);
      const idea = await mira.locator('.touch-idea .touch-title').textContent();
      assert.equal(await jo.locator('.touch-idea .touch-title').textContent(), idea);
      await fits(jo, 'the hug page');
    });
  });
}
