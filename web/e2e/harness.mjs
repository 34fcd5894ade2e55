// The end-to-end harness: a real `gallant demo` on free loopback ports, and
// Debian's Chromium driven by playwright-core. Used by run.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '..');
export const repoDir = resolve(webDir, '..');
export const resultsDir = join(webDir, 'test-results');

/** freePort asks the kernel for an unused loopback port. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** waitFor polls fn until it returns a truthy value or the deadline passes. */
export async function waitFor(what, fn, timeoutMs = 20_000, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/**
 * startDemo runs `gallant demo` in a new data directory and returns its
 * address, the printed API key and dashboard login, restart() (stop it and
 * start it again on the same data and ports: what a new carrier needs
 * before routes may name it) and stop().
 */
export async function startDemo(binary = join(repoDir, 'bin', 'gallant')) {
  const data = mkdtempSync(join(tmpdir(), 'gallant-e2e-'));
  const [http, smpp] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${http}`;
  let out = '';
  let err = '';
  let proc;
  let exited;
  const launch = async () => {
    out = '';
    proc = spawn(binary, ['demo', '--data', data, '--http', `127.0.0.1:${http}`, '--smpp', `127.0.0.1:${smpp}`, '--metrics', ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.on('data', (b) => (out += b));
    proc.stderr.on('data', (b) => (err += b));
    exited = new Promise((r) => proc.once('exit', r));
    try {
      await waitFor('the demo to print its credentials', () => /Stop with Ctrl-C/.test(out) || proc.exitCode !== null, 60_000);
      if (proc.exitCode !== null) throw new Error(`gallant demo exited ${proc.exitCode}: ${err.slice(-2000)}`);
      await waitFor('/readyz', async () => (await fetch(`${base}/readyz`)).ok);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
  };
  const halt = async () => {
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  };
  await launch();
  const apiKey = out.match(/API key\s+(gal_\S+)/)?.[1];
  const user = out.match(/sign in as (\S+) \/ (\S+)\)/);
  if (!apiKey || !user) throw new Error(`cannot read the demo's credentials from:\n${out}`);
  return {
    base,
    apiKey,
    email: user[1],
    password: user[2],
    output: () => out,
    logs: () => err,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** launchBrowser starts headless Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe runs axe-core on the page (the page's context must bypass the CSP:
 * newContext({ bypassCSP: true })) and returns the serious and critical
 * violations. opts.include limits it to the parts matching those CSS
 * selectors (those absent from the page are left out), as a spec that
 * checks its own page's content leaves the frame to 90-every-page.
 */
export async function axe(page, opts = {}) {
  // Judge the page at rest: a tooltip or dialog half faded in has the
  // contrast of neither state. Spinners and skeletons animate forever: wait
  // only for finite animations, and at most 2 s.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((r) => setTimeout(r, 2_000)),
    ]),
  );
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (include) => {
    const context = include ? { include: include.filter((sel) => document.querySelector(sel)).map((sel) => [sel]) } : document;
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(context, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, opts.include ?? null);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** shot saves a full-page screenshot under web/test-results/. */
export async function shot(page, name, opts = {}) {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: !opts.viewportOnly });
}

/** signIn signs in through the sign-in page and waits for the app shell. */
export async function signIn(page, demo, path = '/') {
  await page.goto(`${demo.base}/sign-in?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(demo.email);
  await page.getByLabel('Password').fill(demo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  try {
    // The app bar is there once signed in, on every screen size.
    await page.getByRole('button', { name: 'Account menu' }).waitFor({ timeout: 20_000 });
  } catch (e) {
    await shot(page, 'sign-in-failed');
    throw e;
  }
}

/** apiCall calls the gateway's API with the demo's key. */
export async function apiCall(demo, method, path, body) {
  const res = await fetch(`${demo.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${demo.apiKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

/** assert throws with msg when cond is false. */
export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
