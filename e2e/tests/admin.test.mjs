// The admin page at 360 px, as the host uses it: Robin, who founded this Tend, finds it in
// Settings, hands Sam a link to set a new password (copied from the page, shown once), then
// switches Alex's account off; Alex's open page follows to the log-in page, which says why.
// Switched back on, Alex signs in again. Every page is audited as it stands.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
};

const phone360 = async () => (await browser.newContext({
  viewport: { width: 360, height: 760 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB',
})).newPage();

const signUp = (base, name, email, invite) => apiPost(base, '/api/v1/auth/signup', {
  display_name: name, email, password: 'a long enough password', time_zone: 'Europe/Berlin', ...(invite ? { invite } : {}),
});

for (const backend of backends()) {
  describe(`the admin page on ${backend.name}`, () => {
    let tend;
    const env = { ...backend.env, TEND_REGISTRATION: 'open' };
    if (env.TEND_DATABASE_SCHEMA) env.TEND_DATABASE_SCHEMA += '_admin';
    before(async () => { tend = await startTend(env); });
    after(async () => { await tend?.stop(); });

    test('a reset link handed over, an account switched off and on', { timeout: 120_000 }, async () => {
      const problems = [];
      await signUp(tend.base, 'Robin', 'robin@example.org');
      const alex = await signUp(tend.base, 'Alex', 'alex@example.org');
      const invite = await apiPost(tend.base, '/api/v1/invites', {}, alex.token);
      await signUp(tend.base, 'Sam', 'sam@example.org', invite.code);
      await apiPost(tend.base, '/api/v1/appreciations', { kind: 'gratitude', body: 'Thank you for the lanterns.' }, alex.token);

      // Robin hosts, unpaired: logging in leads to the pairing page.
      const host = await phone360();
      await host.goto(`${tend.base}/login`);
      await host.getByLabel('Email').fill('robin@example.org');
      await host.getByLabel('Password').fill('a long enough password');
      await host.getByRole('button', { name: 'Log in' }).click();
      await host.waitForURL((u) => !u.pathname.startsWith('/login'));
      await host.goto(`${tend.base}/settings`);
      await host.getByRole('link', { name: 'Admin', exact: true }).click();
      await host.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
      const main = await host.locator('main').textContent();
      for (const name of ['Robin', 'Alex', 'Sam', 'alex@example.org']) assert.match(main, new RegExp(name));
      assert.doesNotMatch(main, /lanterns/, 'never a word anyone wrote');
      problems.push(...await audit(host, 'Admin, 360'));
      await shot(host, 'admin-360');

      // A link for Sam, shown once under Sam's name.
      await host.getByRole('button', { name: 'Make a password link for Sam' }).click();
      const link = host.getByLabel('Link for Sam to set a new password');
      await link.waitFor();
      const url = await link.inputValue();
      assert.match(url, /\/reset\/[A-Za-z0-9_-]{20,}$/);
      assert.ok(await host.getByRole('button', { name: 'Copy' }).isVisible(), 'a Copy button');
      problems.push(...await audit(host, 'Admin with a link, 360'));
      await shot(host, 'admin-link-360');
      await host.reload();
      assert.equal(await host.getByLabel('Link for Sam to set a new password').count(), 0, 'shown once');
      const sam = await phone360();
      await sam.goto(url);
      await sam.getByRole('textbox', { name: 'New password' }).fill('a handed over passphrase');
      await sam.getByRole('button', { name: /password/i }).click();
      await sam.waitForURL(/\/login/);

      // Alex's account switched off: the open page follows to log-in, which says why.
      const a = await phone360();
      await logIn(a, tend.base, 'alex@example.org');
      await a.locator('html[data-live="connected"]').waitFor();
      await host.getByRole('button', { name: 'Switch off Alex’s account' }).click();
      await host.getByText('Alex’s account is switched off').waitFor();
      await shot(host, 'admin-off-360');
      await a.waitForURL(/\/login/, { timeout: 10_000 });
      await a.getByLabel('Email').fill('alex@example.org');
      await a.getByLabel('Password').fill('a long enough password');
      await a.getByRole('button', { name: 'Log in' }).click();
      await a.getByText('This account is switched off on this Tend for now.').waitFor();
      problems.push(...await audit(a, 'Log-in, account off, 360'));
      await shot(a, 'login-off-360');

      // Switched on again, Alex is back in.
      await host.getByRole('button', { name: 'Switch on Alex’s account' }).click();
      await host.getByText('Alex’s account is on again').waitFor();
      await logIn(a, tend.base, 'alex@example.org');

      assert.deepEqual(problems, []);
    });
  });
}
