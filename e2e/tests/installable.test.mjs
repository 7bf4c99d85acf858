// Tend on a home screen: Chromium finds it installable, the service worker takes over the
// page, keeps only public things in its cache, and shows the offline page when the network
// is gone, until "Try again" finds it back.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { apiPost as api, backends, CHROMIUM, logIn, startTend } from '../lib/tend.mjs';

/**
 * A phone with a real profile on disk: Chromium never offers to install from an incognito
 * context, which is what `browser.newContext()` gives.
 */
async function phoneWithProfile() {
  const profile = mkdtempSync(join(tmpdir(), 'tend-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The paths of everything in the page's origin's caches. */
const cachedPaths = (page) => page.evaluate(async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
});

for (const backend of backends()) {
  describe(`installable on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('installable, served by the worker, offline page when the network fails', { timeout: 60_000 }, async (t) => {
      const alex = await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Alex', email: 'alex@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin',
      });
      const invite = await api(tend.base, '/api/v1/invites', {}, alex.token);
      await api(tend.base, '/api/v1/auth/signup', {
        display_name: 'Sam', email: 'sam@example.org', password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
      });

      const phone = await phoneWithProfile();
      t.after(() => phone.close()); // also when an assertion fails
      const { context } = phone;
      const page = context.pages()[0] ?? await context.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // Failed loads are expected here (offline, the API without a token); script errors are not.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
      });
      await logIn(page, tend.base, 'alex@example.org');

      // The worker installs (precaching the assets and /offline) and activates.
      const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, `${tend.base}/`);

      // Chromium's own verdict on installability, and on the manifest.
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, []);
      const manifest = await cdp.send('Page.getAppManifest');
      assert.equal(manifest.url, `${tend.base}/manifest.webmanifest`);
      assert.deepEqual(manifest.errors, []);

      // After a reload the worker controls the page.
      await page.reload();
      const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
      assert.equal(controller, `${tend.base}/sw.js`);

      // Browse a little, live updates included; still only assets and /offline are kept.
      await page.goto(`${tend.base}/questions`);
      await page.goto(`${tend.base}/today`);
      await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
      const cached = await cachedPaths(page);
      assert.ok(cached.includes('/offline'), `offline page kept: ${cached}`);
      assert.ok(cached.some((p) => /^\/static\/app\.[0-9a-f]+\.css$/.test(p)), `stylesheet kept: ${cached}`);
      for (const path of cached) {
        assert.ok(path.startsWith('/static/') || path === '/offline', `nothing private in the cache: ${path}`);
      }
      assert.equal((await page.evaluate(() => caches.keys())).length, 1, 'one cache, this release\'s');

      // The network goes away: a navigation shows the offline page, styled from the cache.
      await context.setOffline(true);
      await page.goto(`${tend.base}/questions`);
      await page.getByRole('heading', { name: 'You’re offline' }).waitFor();
      assert.match(await page.locator('main').textContent(), /Tend needs a connection to keep your shared space in step/);
      assert.equal(new URL(page.url()).pathname, '/questions', 'the address stays the one asked for');
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, 'rgb(247, 243, 236)', 'app.css came from the cache');

      // Back online, "Try again" goes where the person wanted.
      await context.setOffline(false);
      await page.getByRole('link', { name: 'Try again' }).click();
      await page.waitForURL(`${tend.base}/questions`);
      await page.getByRole('heading', { name: 'You’re offline' }).waitFor({ state: 'detached' });
      assert.equal(await page.getByRole('link', { name: 'Questions' }).getAttribute('aria-current'), 'page');

      assert.deepEqual(problems, []);
    });

    // Headless Chromium cannot tap a notification, so the worker's handler runs here, in a
    // sandbox that stands in for the worker's global scope and its windows.
    test('tapping a notification opens its page', async () => {
      const source = await (await fetch(`${tend.base}/sw.js`)).text();
      const tap = async (data, windows = []) => {
        const log = [];
        const handlers = {};
        const client = (url, controlled) => ({
          url,
          controlled,
          async focus() { log.push(`focus ${url}`); return this; },
          async navigate(to) { log.push(`navigate ${url} to ${to}`); return { url: to }; },
        });
        const all = windows.map(([url, controlled]) => client(`${tend.base}${url}`, controlled));
        const self = {
          location: new URL(`${tend.base}/sw.js`),
          addEventListener: (type, handler) => { handlers[type] = handler; },
          clients: {
            matchAll: async ({ includeUncontrolled }) => all.filter((c) => includeUncontrolled || c.controlled),
            openWindow: async (url) => { log.push(`open ${url}`); return { url }; },
          },
        };
        vm.runInNewContext(source, { self, URL, caches: {}, fetch: () => { throw new Error('no network here'); } });
        let done;
        handlers.notificationclick({
          notification: { data, close: () => log.push('close') },
          waitUntil: (promise) => { done = promise; },
        });
        await done;
        return log;
      };
      const base = tend.base;
      assert.deepEqual(await tap({ url: '/hugs' }), ['close', `open ${base}/hugs`]);
      assert.deepEqual(await tap(undefined), ['close', `open ${base}/today`], 'Today by default');
      assert.deepEqual(await tap({ url: 'https://elsewhere.example/' }), ['close', `open ${base}/today`], 'never another site');
      assert.deepEqual(await tap({ url: '/hugs' }, [['/today', true], ['/hugs', false]]), ['close', `focus ${base}/hugs`]);
      assert.deepEqual(
        await tap({ url: '/questions' }, [['/learn', false], ['/today', true]]),
        ['close', `focus ${base}/today`, `navigate ${base}/today to ${base}/questions`],
      );
    });
  });
}
