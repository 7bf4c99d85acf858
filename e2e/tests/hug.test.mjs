// The 20-second hug: the countdown runs on the phone, ends with "We hugged", and the hug
// counts for both partners.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, phone, startTend } from '../lib/tend.mjs';

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
  await page.getByRole('link', { name: 'A 20-second hug' }).click();

  const started = Date.now();
  await page.getByRole('button', { name: 'Start 20 seconds' }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-hug-count]').textContent) <= 18);
  assert.ok(await page.locator('.hug.hugging').isVisible(), 'the circle breathes while counting');
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
});
