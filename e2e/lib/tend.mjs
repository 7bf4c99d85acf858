// Starts Tend and Debian's Chromium for browser tests. Never downloads a browser.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..');
export const TEND_BIN = process.env.TEND_BIN ?? join(root, 'target', 'debug', 'tend');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The databases to run each test on: SQLite always, PostgreSQL when configured. */
export function backends() {
  const list = [{ name: 'sqlite', env: {} }];
  const url = process.env.TEND_TEST_POSTGRES_URL;
  if (url) {
    const schema = `tend_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    list.push({ name: 'postgres', env: { TEND_DATABASE_URL: url, TEND_DATABASE_SCHEMA: schema } });
  } else if (process.env.CI) {
    throw new Error('CI must set TEND_TEST_POSTGRES_URL');
  }
  return list;
}

/** Runs `tend serve` on a free port with a fresh data folder; resolves once it listens. */
export async function startTend(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tend-e2e-'));
  const child = spawn(TEND_BIN, ['serve'], {
    env: { ...process.env, TEND_DATA_DIR: dataDir, TEND_ADDR: '127.0.0.1:0', TEND_LOG: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('tend serve did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`tend serve exited early with ${code}`)));
    lines.on('line', (line) => {
      const match = line.match(/^Tend is running at (\S+)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
  });
  return {
    base,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A phone-sized browser context, as one partner's phone. */
export async function phone(browser, timezoneId = 'Europe/Berlin') {
  return browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, timezoneId, locale: 'en-GB' });
}

/** POSTs JSON to Tend's API and returns the parsed answer, failing the test on an error. */
export async function apiPost(base, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Logs a partner in on `page` and waits for Today. */
export async function logIn(page, base, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/today/);
}

const AXE = readFileSync(join(import.meta.dirname, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * What a page must be on a phone, as it stands now: nothing wider than the screen, no axe
 * violation (WCAG 2.1 A and AA), and every main action at least 44×44 px. Returns the problems
 * found, as sentences, so a test can assert that there are none.
 */
export async function audit(page, label) {
  const problems = [];
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${label}: wider than the screen by ${overflow} px`);
  // Evaluated through DevTools, which Tend's Content-Security-Policy rightly does not cover.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  // Audit what a person reads once things have settled: something new fades in over 0.6 s,
  // and axe would measure a half-faded colour as low contrast.
  await page.evaluate(() => document.getAnimations().forEach((a) => { if (a.effect?.getTiming().iterations !== Infinity) a.finish(); }));
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  for (const v of result.violations) {
    problems.push(`${label}: axe ${v.impact} ${v.id} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  }
  // Main actions: buttons, links styled as buttons, and the toggles that open forms.
  const small = await page.evaluate(() => [...document.querySelectorAll(
    'main button, main .button, main summary, main .today-list a, .main-nav a',
  )].filter((el) => {
    const r = el.getBoundingClientRect();
    const hidden = r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden';
    return !hidden && (r.height < 43.5 || r.width < 43.5);
  }).map((el) => `${el.tagName.toLowerCase()} “${el.textContent.trim().slice(0, 40)}” ${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`));
  for (const s of small) problems.push(`${label}: tap target under 44 px: ${s}`);
  return problems;
}
