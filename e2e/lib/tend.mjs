// Starts Tend and Debian's Chromium for browser tests. Never downloads a browser.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
