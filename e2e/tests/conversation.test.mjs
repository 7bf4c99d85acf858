// The Stress-Reducing Conversation on two phones, with turns shortened by configuration
// (TEND_CONVERSATION_MINUTE_SECONDS=1: a "10-minute" turn lasts 10 seconds): starting,
// joining from Today, the switch on "I feel heard" and on time running out, a reload in the
// middle, private ratings; then a reflective-listening round. Prints the drift between the
// two screens' timers.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost as api, backends, launchBrowser, logIn as logInAs, phone, startTend } from '../lib/tend.mjs';

/** How far the page's main content reaches past the right edge, in px (the site header is
 * checked on its own). */
const overflowOfMain = () => Math.max(0, ...[...document.querySelectorAll('main, main *')]
  .map((e) => Math.ceil(e.getBoundingClientRect().right - window.innerWidth)));

// Set SCREENSHOTS=dir to keep a picture of each step.
async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page fits 320 and 360 px without sideways scrolling; ends at 360 px, then back to a phone's width. */
async function fitsPhones(page, name) {
  const before = page.viewportSize();
  for (const width of [320, 360]) {
    await page.setViewportSize({ width, height: 760 });
    const overflow = await page.evaluate(overflowOfMain);
    assert.ok(overflow <= 0, `${page.url()}: main content overflows ${width} px by ${overflow} px`);
    await shot(page, `${name}-${width}`);
  }
  if (before) await page.setViewportSize(before);
}

async function tapTarget(locator, what) {
  const box = await locator.boundingBox();
  assert.ok(box && box.width >= 44 && box.height >= 44, `${what} is ${box?.width}×${box?.height} px`);
}

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function logIn(page, base, email) {
  await logInAs(page, base, email);
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
}

/** When a screen's countdown reaches zero, as epoch ms by this machine's clock (both phones
 * here share it, so the difference is what a couple would see between their screens). */
async function deadline(page) {
  return page.evaluate(() => {
    const clock = document.querySelector('.talk-clock[data-ends-at]');
    return clock ? Number(clock.dataset.endsAt) : null;
  });
}

/** The largest gap between the two screens' deadlines over a few samples. */
async function drift(a, b) {
  let worst = 0;
  for (let i = 0; i < 5; i += 1) {
    const [da, db] = await Promise.all([deadline(a), deadline(b)]);
    assert.ok(da && db, 'both screens show a running clock');
    worst = Math.max(worst, Math.abs(da - db));
    await a.waitForTimeout(200);
  }
  return worst;
}

const talkState = (page) => page.locator('#talk').getAttribute('data-talk-state');

for (const backend of backends()) {
  describe(`guided practices on ${backend.name}`, () => {
    let tend;
    let alex;
    let sam;
    before(async () => {
      tend = await startTend({ ...backend.env, TEND_CONVERSATION_MINUTE_SECONDS: '1' });
      const a = await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await api(tend.base, '/api/v1/invites', {}, a.token);
      await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      alex = await (await phone(browser)).newPage();
      sam = await (await phone(browser, 'America/New_York')).newPage();
      await logIn(alex, tend.base, 'alex@example.org');
      await logIn(sam, tend.base, 'sam@example.org');
    });
    after(async () => {
      await alex?.context().close();
      await sam?.context().close();
      await tend?.stop();
    });

    test('a whole conversation, in sync on both phones', { timeout: 90_000 }, async () => {
      await alex.goto(`${tend.base}/conversations`);
      await alex.getByLabel('10 minutes').check();
      await alex.getByLabel('I will').check();
      await alex.getByRole('button', { name: 'Start' }).click();
      await alex.waitForURL(/\/conversations\/\d+/);
      assert.match(await alex.locator('#talk').textContent(), /Waiting for Sam to join/);

      // Sam's open Today shows "Join" without a reload.
      const prompt = sam.locator('#practices-now').filter({ hasText: 'would like a Stress-Reducing Conversation' });
      await prompt.waitFor({ timeout: 5_000 });
      await sam.getByRole('button', { name: 'Join' }).click();
      await sam.waitForURL(/\/conversations\/\d+$/);
      assert.match(await sam.locator('#talk h2').textContent(), /You’re listening/);
      assert.ok(await sam.locator('.cue-text').isVisible(), 'one cue at a time for the listener');
      const another = sam.getByRole('button', { name: 'Another cue' });
      await tapTarget(another, 'Another cue');
      if (process.env.SCREENSHOTS) await sam.locator('.cue').screenshot({ path: join(process.env.SCREENSHOTS, 'conversation-listener-cue.png') });
      const firstCue = await sam.locator('.cue-name').textContent();
      await another.click();
      assert.notEqual(await sam.locator('.cue-name').textContent(), firstCue, 'another cue, on request');
      await sam.getByText('All eight listening guidelines').click();
      assert.equal(await sam.locator('.guidelines li').count(), 8);

      // Alex's waiting page turns into the speaker's screen live.
      await alex.locator('#talk h2', { hasText: 'You’re speaking' }).waitFor({ timeout: 5_000 });
      assert.match(await alex.locator('.talk-reminder').textContent(), /outside the two of you/);
      const firstDrift = await drift(alex, sam);

      // A reload in the middle resumes exactly there.
      await sam.reload();
      assert.match(await sam.locator('#talk h2').textContent(), /You’re listening.*turn 1 of 2/);
      const afterReload = await drift(alex, sam);

      // "I feel heard" switches both screens.
      const tapped = Date.now();
      await alex.getByRole('button', { name: 'I feel heard' }).click();
      await sam.locator('#talk h2', { hasText: 'You’re speaking' }).waitFor({ timeout: 5_000 });
      const switchDelay = Date.now() - tapped;
      await alex.locator('#talk h2', { hasText: 'You’re listening' }).waitFor({ timeout: 5_000 });
      const secondDrift = await drift(alex, sam);

      // The second turn runs out by itself (10 s); both phones move on to the private rating.
      await alex.locator('#talk[data-talk-state="rating"]').waitFor({ timeout: 15_000 });
      await sam.locator('#talk[data-talk-state="rating"]').waitFor({ timeout: 5_000 });
      for (const [page, understood, cared] of [[alex, '6', '7'], [sam, '4', '5']]) {
        await page.locator('fieldset', { hasText: 'how understood' }).getByLabel(understood, { exact: true }).check();
        await page.locator('fieldset', { hasText: 'cared for' }).getByLabel(cared, { exact: true }).check();
        await page.getByRole('button', { name: 'Save my rating' }).click();
        await page.waitForURL(/\/conversations\/\d+$/);
      }
      await alex.locator('#talk[data-talk-state="done"]').waitFor({ timeout: 5_000 });
      assert.match(await alex.locator('#talk').textContent(), /understood 6 of 7 and cared for 7 of 7/);
      assert.doesNotMatch(await sam.locator('main').textContent(), /6 of 7/, 'ratings stay private');
      assert.equal(await talkState(sam), 'done');

      // The conversations page, now listing a past one, still fits a small phone; the past
      // one and each practice are full tap targets.
      await alex.goto(`${tend.base}/conversations`);
      const past = alex.locator('.past-talks a').first();
      assert.match(await past.textContent(), /understood 6 of 7, cared for 7 of 7/);
      await tapTarget(past, 'a past conversation');
      await fitsPhones(alex, 'conversation-past');
      await alex.goto(`${tend.base}/practices`);
      for (const link of await alex.locator('.practice-list h2 a').all()) {
        await tapTarget(link, `Practices: ${await link.textContent()}`);
      }
      await fitsPhones(alex, 'practices');

      const worst = Math.max(firstDrift, afterReload, secondDrift);
      console.log(`# ${backend.name}: timer drift between the two screens: turn 1 ${firstDrift} ms, after reload ${afterReload} ms, turn 2 ${secondDrift} ms; switch seen on the other phone after ${switchDelay} ms`);
      assert.ok(worst < 100, `the two screens' timers differ by ${worst} ms`);
    });

    test('a reflective-listening round, then a swap', { timeout: 60_000 }, async () => {
      await alex.goto(`${tend.base}/listening`);
      await sam.goto(`${tend.base}/today`);
      await sam.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await alex.getByLabel('A few sentences are plenty').fill('The move has me on edge; boxes everywhere.');
      await alex.getByRole('button', { name: 'Share' }).click();
      await alex.waitForURL(/done=shared/);

      await sam.locator('#practices-now', { hasText: 'Alex shared something with you' }).waitFor({ timeout: 5_000 });
      await sam.getByRole('link', { name: 'Listen', exact: true }).click();
      await sam.getByLabel('What I heard you say').fill('Living in the middle of the move is wearing you down.');
      await sam.getByLabel('The feeling I sense').fill('unsettled');
      await sam.getByRole('button', { name: 'Send what I heard' }).click();
      await sam.waitForURL(/done=reflected/);

      await alex.locator('#exchange', { hasText: 'wearing you down' }).waitFor({ timeout: 5_000 });
      await alex.getByLabel(/Not quite\? Say a little more/).fill('More that I can’t find anything, so nothing feels like home.');
      await alex.getByRole('button', { name: 'Not quite' }).click();
      await sam.locator('#exchange', { hasText: 'nothing feels like home' }).waitFor({ timeout: 5_000 });
      await sam.getByLabel('What I heard you say').fill('Without your things around, home doesn’t feel like home yet.');
      await sam.getByLabel('The feeling I sense').fill('homesick');
      await sam.getByRole('button', { name: 'Send what I heard' }).click();
      await alex.getByRole('button', { name: 'You got it' }).waitFor({ timeout: 5_000 });
      await alex.getByRole('button', { name: 'You got it' }).click();
      await sam.locator('#exchange', { hasText: 'Alex felt understood' }).waitFor({ timeout: 5_000 });
      assert.ok(await sam.getByRole('heading', { name: 'Your turn to share?' }).isVisible(), 'they may swap');
    });
  });
}
