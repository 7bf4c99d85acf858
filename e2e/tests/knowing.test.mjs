// Knowing each other on two phones at 360 px: the intimacy map stays private until both have
// made one, then shows live as a radar with its table; State of Us reveals by week and offers
// a listening round seeded with one's topic; insights draw every chart with its numbers.
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

async function live(page) {
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
}

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `knowing-${name}.png`), fullPage: true });
}

// Nothing wider than the phone, no axe violation, every main action 44 px or more.
async function fits(page, what) {
  assert.deepEqual(await audit(page, what), []);
}

// Rates every kind on the open map form: `n` for nourished and `wish` for each.
async function fillMap(page, values) {
  for (const [kind, n, wish] of values) {
    const box = page.locator(`#kind-${kind}`);
    await box.locator(`input[name="${kind}"][value="${n}"]`).check({ force: true });
    await box.locator(`input[name="${kind}_wish"][value="${wish}"]`).check({ force: true });
  }
}

for (const backend of backends()) {
  describe(`knowing each other on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('the map, State of Us and insights on two phones', { timeout: 120_000 }, async () => {
      const a = await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Mira', email: 'mira-k@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, a.token);
      await apiPost(tend.base, '/api/v1/auth/signup', {
        display_name: 'Jo', email: 'jo-k@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });
      const mira = await (await narrow()).newPage();
      const jo = await (await narrow()).newPage();
      await logIn(mira, tend.base, 'mira-k@example.org');
      await logIn(jo, tend.base, 'jo-k@example.org');

      // Mira finds the map under Practices and makes hers, with a few words on social time.
      await mira.goto(`${tend.base}/practices`);
      await mira.getByRole('link', { name: 'Our intimacy map' }).click();
      await mira.waitForURL(/\/intimacy-map/);
      assert.match(await mira.locator('main').textContent(), /not a test or a validated scale/);
      await shot(mira, '1-map-form');
      await fillMap(mira, [
        ['emotional', 5, 'as-now'], ['physical', 3, 'more'], ['intellectual', 6, 'as-now'],
        ['spiritual', 4, 'as-now'], ['social', 2, 'more'], ['recreational', 4, 'as-now'],
      ]);
      await mira.getByLabel('A few words, if you like').nth(4).fill('I miss our friends');
      await mira.getByRole('button', { name: 'Save my map' }).click();
      await mira.waitForURL(/done=map-saved/);
      assert.match(await mira.locator('.map-status').textContent(), /once Jo has made theirs/);
      await fits(mira, 'the map page');

      // Jo sees only that Mira made one; her words stay hers.
      await jo.goto(`${tend.base}/intimacy-map`);
      assert.match(await jo.locator('.map-status').textContent(), /Mira has made a new map/);
      assert.doesNotMatch(await jo.content(), /I miss our friends/);
      await shot(jo, '2-partner-waiting');

      // Mira waits on her page; Jo makes a map; both maps appear on Mira's phone, live.
      await live(mira);
      await fillMap(jo, [
        ['emotional', 6, 'as-now'], ['physical', 4, 'more'], ['intellectual', 6, 'as-now'],
        ['spiritual', 5, 'as-now'], ['social', 4, 'as-now'], ['recreational', 3, 'more'],
      ]);
      await jo.getByRole('button', { name: 'Save my map' }).click();
      await jo.waitForURL(/done=map-saved/);
      await mira.locator('#map-live svg[role="img"]').waitFor();
      const together = await mira.locator('#map-live').textContent();
      assert.match(together, /You meet on intellectual and emotional intimacy\./);
      assert.match(together, /You would both like more physical affection\./);
      assert.match(await jo.locator('main').textContent(), /I miss our friends/, 'Jo sees Mira’s words now');
      // The radar's numbers, as a table a screen reader can read.
      const table = mira.locator('#map-live details.chart-data');
      await table.locator('summary').click();
      assert.equal(await table.locator('tbody tr').count(), 6);
      await fits(mira, 'the revealed map');
      await shot(mira, '3-map-together');

      // State of Us: Jo answers with a topic; Mira sees only that Jo answered.
      await jo.goto(`${tend.base}/state-of-us`);
      await jo.getByLabel('What went well between us this week?').fill('Cooking on Saturday');
      await jo.getByLabel('What do I need more of next week?').fill('Slow mornings');
      await jo.getByLabel('One word for how I feel about us this week').selectOption('hopeful');
      await jo.getByLabel('One topic I’d like us to talk about').fill('Visiting my parents');
      await jo.getByRole('button', { name: 'Save my answers' }).click();
      await jo.waitForURL(/done=state-saved/);
      await fits(jo, 'State of Us');
      await shot(jo, '4-state-saved');
      await mira.goto(`${tend.base}/state-of-us`);
      assert.match(await mira.locator('#this-week').textContent(), /Jo has answered this week/);
      assert.doesNotMatch(await mira.content(), /Cooking on Saturday/);
      await mira.getByLabel('What went well between us this week?').fill('Our walk by the river');
      await mira.getByLabel('And less of?').fill('Phones at dinner');
      await mira.getByLabel('One word for how I feel about us this week').selectOption('close');
      await mira.getByRole('button', { name: 'Save my answers' }).click();
      await mira.waitForURL(/done=state-saved/);
      assert.match(await mira.locator('#this-week').textContent(), /Cooking on Saturday/);
      await shot(mira, '5-state-revealed');

      // One tap from Jo's answers to a listening round that starts with Jo's topic.
      await jo.goto(`${tend.base}/state-of-us`);
      await jo.getByRole('link', { name: 'Start reflective listening' }).click();
      await jo.waitForURL(/\/listening\?from=state-of-us/);
      assert.equal(await jo.locator('textarea[name="share"]').inputValue(), 'Visiting my parents');

      // Insights: every chart is a picture with its numbers and one sentence.
      await mira.goto(`${tend.base}/insights`);
      const figures = mira.locator('figure.chart-card');
      assert.equal(await figures.count(), 7);
      for (let i = 0; i < 7; i += 1) {
        const f = figures.nth(i);
        assert.equal(await f.locator('svg[role="img"]').count(), 1);
        assert.equal(await f.locator('table').count(), 1);
        assert.ok((await f.locator('figcaption').textContent()).trim().length > 10);
      }
      assert.match(await mira.locator('main').textContent(), /Only you see this/);
      await fits(mira, 'insights');
      await shot(mira, '6-insights');
      await mira.getByRole('link', { name: '12 months' }).click();
      await mira.waitForURL(/span=months/);
      assert.match(await mira.locator('.range-now').textContent(), /12 months/);
    });
  });
}
