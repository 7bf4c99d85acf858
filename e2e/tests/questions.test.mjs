// A question exchange on two phones at 360 px: both answer privately, nothing shows until both
// have, then both see both live (and the old "on its way" goes); each answers the other's
// answer with a one-tap reply that fits the question and a few words; the one who shared
// rates privately how it felt on the shared 1–7 scale. The pages fit 360 and 320 px, and
// their main actions are 44 px or more. Set SCREENSHOTS=dir to keep a picture of each step.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { apiPost, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const narrow = (colorScheme = 'light') => browser.newContext({
  viewport: { width: 360, height: 760 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB', colorScheme,
});

async function live(page) {
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
}

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A picture of one part of the page, at its real size. */
async function shotOf(locator, name) {
  if (process.env.SCREENSHOTS) await locator.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`) });
}

/** Nothing in the page's main part reaches past either edge of the screen. */
async function fits(page, what) {
  const wide = await page.evaluate(() => [...document.querySelectorAll('main, main *')]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
    })
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)})`)
    .slice(0, 5));
  const width = page.viewportSize().width;
  assert.deepEqual(wide, [], `${what} fits ${width} px`);
}

/** Every element matching `selector` is at least 44×44 px. */
async function bigEnough(page, selector, what) {
  const boxes = await page.locator(selector).evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { w: r.width, h: r.height, text: el.textContent.trim().slice(0, 40) };
  }));
  assert.ok(boxes.length > 0, `${what}: none found`);
  for (const b of boxes) assert.ok(b.w >= 44 && b.h >= 44, `${what} "${b.text}" is ${b.w}×${b.h} px`);
}

/** Each 1–7 scale on the page: seven targets of 44×44 px or more in one row, inside the screen. */
async function scalesFit(page) {
  const scales = await page.locator('.scale').evaluateAll((sets) => sets.map((set) => {
    const points = [...set.querySelectorAll('.scale-point')].map((p) => p.getBoundingClientRect());
    const ends = set.querySelector('.scale-ends').getBoundingClientRect();
    return {
      legend: set.querySelector('legend').textContent,
      points: points.map((r) => ({ top: Math.round(r.top), left: r.left, right: r.right, w: r.width, h: r.height })),
      ends: { left: ends.left, right: ends.right },
      radios: set.querySelectorAll('input[type="radio"]').length,
      screen: window.innerWidth,
    };
  }));
  assert.ok(scales.length > 0, 'a scale is shown');
  for (const s of scales) {
    assert.equal(s.radios, 7, `${s.legend}: seven real radios`);
    assert.equal(new Set(s.points.map((p) => p.top)).size, 1, `${s.legend}: one row at ${s.screen} px`);
    for (const p of s.points) assert.ok(p.w >= 44 && p.h >= 44, `${s.legend}: a ${p.w}×${p.h} px target`);
    assert.ok(s.points[0].left >= 0 && s.points[6].right <= s.screen, `${s.legend}: inside the screen`);
    assert.ok(Math.abs(s.ends.left - s.points[0].left) < 1 && Math.abs(s.ends.right - s.points[6].right) < 1,
      `${s.legend}: the end labels sit under the ends`);
  }
}

for (const backend of backends()) {
  describe(`questions on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('answer, reveal, reply and rate, on two phones', { timeout: 90_000 }, async () => {
      const a = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, a.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const alex = await (await narrow()).newPage();
      const sam = await (await narrow('dark')).newPage();
      await logIn(alex, tend.base, 'alex@example.org');
      await logIn(sam, tend.base, 'sam@example.org');

      // The questions page on day one: decks make sense, and every main action is a full tap.
      await alex.getByRole('link', { name: 'Questions' }).click();
      await alex.waitForURL(/\/questions$/);
      await fits(alex, 'the questions page');
      await bigEnough(alex, '.deck-link', 'a deck title');
      await bigEnough(alex, 'main .button, main form > .link-button:last-child', 'a main action');
      assert.doesNotMatch(await alex.locator('main').textContent(), /0 of 0/, 'no deck reads as empty');
      assert.match(await alex.locator('.deck-list.waiting').textContent(), /Us\s+\d+ questions, from the Personal level/);
      await shot(alex, '1-questions');
      await shotOf(alex.locator('section', { has: alex.locator('#decks-heading') }), '1-decks');
      await alex.getByRole('link', { name: 'Us', exact: true }).click();
      await alex.getByRole('heading', { name: 'Opening as you go deeper' }).waitFor();
      await fits(alex, 'a deck that opens deeper');
      await shot(alex, '2-deck-waiting');
      await alex.goBack();

      // Both find today's question and open it.
      await alex.locator('#today').getByRole('link', { name: 'Answer' }).click();
      await alex.waitForURL(/\/questions\/today-\d+$/);
      const question = new URL(alex.url()).pathname;
      await sam.goto(`${tend.base}${question}`);
      await live(sam);
      await live(alex);

      await alex.getByLabel('Your answer').fill('A slow breakfast on the balcony, no phones.');
      await alex.getByRole('button', { name: 'Answer', exact: true }).click();
      await alex.waitForURL(/done=answered/);
      await live(alex);
      assert.match(await alex.locator('.notice').textContent(), /on its way/);
      await sam.locator('#exchange', { hasText: 'Alex has had their turn. Answer to see theirs.' }).waitFor({ timeout: 5_000 });
      assert.doesNotMatch(await sam.locator('main').textContent(), /balcony/, 'nothing shows before Sam answers');

      await sam.getByLabel('Your answer').fill('Walking to the bakery together and taking the long way back.');
      await sam.getByRole('button', { name: 'Answer', exact: true }).click();
      await sam.waitForURL(/done=answered/);
      assert.match(await sam.locator('.answer.theirs').textContent(), /balcony/);
      await alex.locator('.answer.theirs', { hasText: 'bakery' }).waitFor({ timeout: 5_000 });
      // The live update moved the exchange on: "on its way" is gone, from the address too.
      assert.equal(await alex.locator('.notice').count(), 0, 'the old confirmation is gone');
      assert.doesNotMatch(alex.url(), /done=/);

      // Each answers the other's answer: one tap plus a few words. The chosen one is in the palette.
      await fits(sam, 'the revealed question');
      await bigEnough(sam, '.reply-choice', 'a one-tap reply');
      const firstReply = sam.locator('.reply-choice').first();
      const replyText = (await firstReply.textContent()).trim();
      await firstReply.click();
      const chosen = await firstReply.evaluate((el) => getComputedStyle(el).borderColor);
      const primary = await sam.evaluate(() => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--primary)';
        document.body.append(probe);
        const color = getComputedStyle(probe).color;
        probe.remove();
        return color;
      });
      assert.equal(chosen, primary, 'the chosen reply is in Tend’s green');
      assert.equal(await firstReply.locator('input').evaluate((el) => getComputedStyle(el).accentColor), primary);
      await shot(sam, '3-reply-dark');
      await sam.getByLabel('And/or a few words of your own').fill('Saturday?');
      await sam.getByRole('button', { name: 'Send' }).click();
      await sam.waitForURL(/done=responded/);

      // Alex sees what Sam said first (Sam's answer, Sam's reply), then the reply form.
      await alex.getByRole('heading', { name: 'Sam answered yours' }).waitFor({ timeout: 5_000 });
      assert.match(await alex.locator('.their-response').textContent(), new RegExp(`${replyText.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}.*Saturday\\?`));
      const order = await alex.evaluate(() => ['.answer.theirs', '.their-response', '#respond-heading']
        .map((s) => document.querySelector(s).getBoundingClientRect().top));
      assert.ok(order[0] < order[1] && order[1] < order[2], `partner first, then my reply: ${order}`);
      await alex.getByRole('heading', { name: 'How did Sam’s reply feel?' }).waitFor();
      await fits(alex, 'the reveal page with its scales');
      await scalesFit(alex);
      await shot(alex, '4-reveal-360');
      await shotOf(alex.locator('.their-response-card'), '4-felt-card-360');
      await alex.locator('.reply-choice').nth(2).click();
      await alex.getByRole('button', { name: 'Send' }).click();
      await alex.waitForURL(/done=responded/);

      // The one who shared rates privately, by tapping the numbers; at 320 px too.
      await alex.setViewportSize({ width: 320, height: 700 });
      await fits(alex, 'the reveal page');
      await scalesFit(alex);
      // From the keyboard, the focused number shows a ring.
      await alex.locator('.breadcrumb a[href^="/questions/deck/"]').focus();
      await alex.keyboard.press('Tab');
      const ring = await alex.evaluate(() => {
        const el = document.activeElement;
        return el.matches('.scale-point input') ? getComputedStyle(el.nextElementSibling).outlineStyle : el.outerHTML.slice(0, 60);
      });
      assert.equal(ring, 'solid', 'a visible focus ring on the scale');
      await shot(alex, '5-focus-320');
      await shotOf(alex.locator('.their-response-card'), '5-felt-card-focus-320');
      for (const [legend, value] of [['How understood did you feel?', '6'], ['How accepted?', '7'], ['How cared for?', '6']]) {
        await alex.locator('fieldset', { hasText: legend }).getByLabel(value, { exact: true }).check();
      }
      await shot(alex, '5-rating-320');
      await alex.getByRole('button', { name: 'Save' }).click();
      await alex.waitForURL(/done=felt/);
      assert.match(await alex.locator('main').textContent(), /understood 6, accepted 7 and cared for 6 of 7/);
      await bigEnough(alex, '.felt > summary', 'Change how you felt');
      await alex.getByText('Change how you felt').click();
      await scalesFit(alex);
      await fits(alex, 'the rated page');
      await shot(alex, '6-rated-320');
      await sam.reload();
      assert.doesNotMatch(await sam.locator('main').textContent(), /accepted 7/, 'the rating is Alex’s alone');
      await sam.getByRole('heading', { name: 'Alex answered yours' }).waitFor();
      await sam.locator('fieldset', { hasText: 'How accepted?' }).getByLabel('5', { exact: true }).check();
      await shotOf(sam.locator('.their-response-card'), '6-felt-card-dark');

      // "Our answers": the answers first, the filters folded; search finds the exchange.
      await sam.goto(`${tend.base}/questions/ours`);
      assert.equal(await sam.locator('.filters-box').getAttribute('open'), null, 'filters folded away');
      const [summary, list] = await sam.evaluate(() => ['.filters-box', '.ours-list']
        .map((s) => document.querySelector(s).getBoundingClientRect()));
      assert.ok(list.top < 400 && summary.height < 60, `the answers start near the top (${list.top} px)`);
      await bigEnough(sam, '.filters-box > summary', 'Search and filter');
      await shot(sam, '7-ours-dark');
      await sam.getByText('Search and filter').click();
      await sam.getByLabel('Search').fill('bakery');
      await sam.getByRole('button', { name: 'Show' }).click();
      await sam.waitForURL(/q=bakery/);
      assert.notEqual(await sam.locator('.filters-box').getAttribute('open'), null, 'open while a filter is on');
      assert.match(await sam.locator('.ours-list').textContent(), /balcony/);
      await fits(sam, 'our answers');
      await shot(sam, '8-ours-filtered-dark');
    });
  });
}
