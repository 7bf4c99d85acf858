// The 20-second hug: the countdown runs on the phone, "We hugged" can only be tapped once it
// has begun, and the hug counts for both partners. Without JavaScript there is no countdown
// and "We hugged" is there from the first. Set SCREENSHOTS=dir to keep a picture of each step.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, phone, startTend } from '../lib/tend.mjs';

/** How far the page's main content reaches past the right edge, in px (the site header is
 * checked on its own). */
const overflowOfMain = () => Math.max(0, ...[...document.querySelectorAll('main, main *')]
  .map((e) => Math.ceil(e.getBoundingClientRect().right - window.innerWidth)));

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page fits `width` px without sideways scrolling. */
async function fits(page, width) {
  await page.setViewportSize({ width, height: 760 });
  const overflow = await page.evaluate(overflowOfMain);
  assert.ok(overflow <= 0, `${page.url()}: main content overflows ${width} px by ${overflow} px`);
}

async function tapTarget(locator, what) {
  const box = await locator.boundingBox();
  assert.ok(box && box.width >= 44 && box.height >= 44, `${what} is ${box?.width}×${box?.height} px`);
}

let browser;
let tend;
before(async () => {
  browser = await launchBrowser();
  tend = await startTend();
});
after(async () => {
  await tend?.stop();
  await browser?.close();
});

async function post(path, body, token) {
  const response = await fetch(`${tend.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status}`);
  return response.json();
}

test('the hug timer counts down twenty seconds, then logs for both', { timeout: 60_000 }, async () => {
  const alex = await post('/api/v1/auth/signup', { display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'UTC' });
  const invite = await post('/api/v1/invites', {}, alex.token);
  const sam = await post('/api/v1/auth/signup', { display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'UTC', invite: invite.code });

  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${tend.base}/login`);
  await page.getByLabel('Email').fill('alex@example.org');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/today/);
  await page.goto(`${tend.base}/hugs`);
  await fits(page, 320);
  await fits(page, 360);
  await shot(page, 'hug-1-ready-360');

  // Before the countdown, "Start" is the one thing to tap; "We hugged" is not there yet.
  const hugged = page.getByRole('button', { name: 'We hugged' });
  assert.equal(await hugged.count(), 0, 'We hugged cannot be tapped before the countdown');
  await tapTarget(page.getByRole('button', { name: 'Start 20 seconds' }), 'Start');

  const started = Date.now();
  await page.getByRole('button', { name: 'Start 20 seconds' }).click();
  assert.ok(await hugged.isVisible(), 'We hugged takes Start’s place once the countdown runs');
  assert.equal(await page.getByRole('button', { name: 'Start 20 seconds' }).count(), 0);
  await tapTarget(hugged, 'We hugged');
  await page.waitForFunction(() => Number(document.querySelector('[data-hug-count]').textContent) <= 18);
  assert.ok(await page.locator('.hug.hugging').isVisible(), 'the circle breathes while counting');
  await shot(page, 'hug-2-counting-360');
  await page.locator('.hug.hugged').waitFor({ timeout: 25_000 });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 19_000 && elapsed < 23_000, `took ${elapsed} ms`);
  assert.equal(await page.locator('[data-hug-count]').textContent(), '0');
  await page.getByRole('button', { name: 'We hugged' }).click();
  await page.waitForURL(/done=hugged/);
  assert.match(await page.locator('main').textContent(), /1 hug logged this week/);

  const week = await (await fetch(`${tend.base}/api/v1/hugs`, { headers: { authorization: `Bearer ${sam.token}` } })).json();
  assert.equal(week.this_week, 1, 'counted for the partner too');
  await context.close();

  // Without JavaScript there is no countdown to wait for: "We hugged" is shown and works.
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 760 } });
  const still = await plain.newPage();
  await still.goto(`${tend.base}/login`);
  await still.getByLabel('Email').fill('sam@example.org');
  await still.getByLabel('Password').fill('a long enough password');
  await still.getByRole('button', { name: 'Log in' }).click();
  await still.waitForURL(/\/today/);
  await still.goto(`${tend.base}/hugs`);
  assert.equal(await still.getByRole('button', { name: 'Start 20 seconds' }).count(), 0, 'no countdown without JavaScript');
  assert.ok(await still.getByRole('button', { name: 'We hugged' }).isEnabled());
  await shot(still, 'hug-3-without-javascript-360');
  await still.getByRole('button', { name: 'We hugged' }).click();
  await still.waitForURL(/done=hugged/);
  await plain.close();
});
