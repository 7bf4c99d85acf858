// Two partners on two phones: sign up, pair through the invite link, see each other on
// Today, and one unpairs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { audit, backends, launchBrowser, phone, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const backend of backends()) {
  describe(`pairing on ${backend.name}`, () => {
    let tend;
    before(async () => { tend = await startTend(backend.env); });
    after(async () => { await tend?.stop(); });

    test('two partners sign up, pair, see each other, and one unpairs', async () => {
      const alexContext = await phone(browser, 'Europe/Berlin');
      const samContext = await phone(browser, 'America/New_York');
      const alex = await alexContext.newPage();
      const sam = await samContext.newPage();

      // Alex sets Tend up; the time zone comes from the phone.
      await alex.goto(`${tend.base}/`);
      await alex.getByRole('link', { name: 'Set up Tend' }).click();
      await alex.getByLabel('What should your partner call you?').fill('Alex');
      await alex.getByLabel('Email').fill('alex@example.org');
      await alex.getByLabel('Password').fill('a long enough password');
      assert.equal(await alex.getByLabel('Your time zone').inputValue(), 'Europe/Berlin');
      await alex.getByRole('button', { name: 'Create account' }).click();
      await alex.waitForURL(/\/pair/);
      await alex.getByRole('button', { name: 'Create an invite' }).click();
      await alex.waitForURL(/\/pair\?done=invite-made/);
      const link = await alex.getByLabel('Invite link', { exact: true }).inputValue();
      assert.match(link, /\/join\/inv_/);
      const code = await alex.locator('.invite-code').textContent();
      assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
      // Pull-to-refresh after switching to a messenger: the same invite, still valid.
      await alex.reload();
      assert.equal(await alex.getByLabel('Invite link', { exact: true }).inputValue(), link);
      assert.equal(await alex.locator('.invite-code').textContent(), code);
      for (const width of [320, 360]) {
        await alex.setViewportSize({ width, height: 720 });
        assert.deepEqual(await audit(alex, `the open invite at ${width} px`), []);
      }

      // Sam opens the link and signs up; they are paired at once.
      await sam.goto(link);
      await assert.doesNotReject(sam.getByRole('heading', { name: 'Alex invites you to Tend' }).waitFor());
      await sam.getByRole('link', { name: 'Create my account' }).click();
      await sam.getByLabel('What should your partner call you?').fill('Sam');
      await sam.getByLabel('Email').fill('sam@example.org');
      await sam.getByLabel('Password').fill('a long enough password');
      assert.equal(await sam.getByLabel('Your time zone').inputValue(), 'America/New_York');
      await sam.getByRole('button', { name: 'Create account' }).click();
      await sam.waitForURL(/\/today/);
      assert.match(await sam.locator('main').textContent(), /Alex/);
      // Alex's time, by the place's name, since it differs from Sam's.
      assert.match(await sam.locator('main').textContent(), /It’s \d\d:\d\d for Alex in Berlin/);
      assert.doesNotMatch(await sam.locator('main').textContent(), /Europe\/|America\//);

      // Alex, still on the invite page, is told at once, and the menu shows the couple's tabs.
      await alex.getByRole('heading', { name: 'You’re paired with Sam' }).waitFor();
      await alex.getByRole('link', { name: 'Go to Today' }).click();
      await alex.waitForURL(/\/today/);
      assert.match(await alex.locator('h1').textContent(), /Alex/);
      assert.match(await alex.locator('main').textContent(), /Sam/);
      await alex.getByRole('link', { name: 'Rhythm', exact: true }).waitFor();

      // Sam unpairs, after reading what happens.
      await sam.getByRole('link', { name: 'Settings' }).click();
      await sam.getByRole('link', { name: /Unpair/ }).click();
      assert.match(await sam.locator('main').textContent(), /Each of you keeps only your own words/);
      await sam.getByRole('button', { name: 'Unpair' }).click();
      await sam.waitForURL(/\/pair\?done=unpaired/);
      assert.match(await sam.getByRole('status').textContent(), /unpaired/);

      // Alex's open Today hears it at once and follows to the pairing page by itself.
      await alex.waitForURL(/\/pair/);
      assert.match(await alex.locator('main').textContent(), /Invite your partner/);

      await alexContext.close();
      await samContext.close();
    });

    test('forms explain mistakes beside the field and keep what was typed', async () => {
      const context = await phone(browser);
      const page = await context.newPage();
      await page.goto(`${tend.base}/login`);
      await page.getByLabel('Email').fill('nobody@example.org');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      assert.match(await page.getByRole('alert').textContent(), /don’t match an account/);
      assert.equal(await page.getByLabel('Email').inputValue(), 'nobody@example.org');

      // Every form control on the public pages has a label.
      for (const path of ['/', '/login', '/signup', '/learn']) {
        await page.goto(`${tend.base}${path}`);
        const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
          els.filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
        assert.deepEqual(unlabelled, [], `${path} has unlabelled controls`);
      }
      await context.close();
    });
  });
}
