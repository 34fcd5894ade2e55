// Runs every e2e spec (e2e/specs/*.spec.mjs, in name order), each against a
// `gallant demo` of its own (a new data directory, free ports: specs do not
// see each other's data or share the sign-in rate limits) and one shared
// Chromium. A spec exports a default async function taking { browser, demo };
// it fails by throwing. Exit status 1 when any spec fails.
// Usage: node e2e/run.mjs [name-filter]
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, startDemo } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const specs = readdirSync(join(here, 'specs'))
  .filter((f) => f.endsWith('.spec.mjs') && f.includes(filter))
  .sort();
const specTimeoutMs = 120_000;

const browser = await launchBrowser();
let failed = 0;
try {
  for (const f of specs) {
    const started = Date.now();
    const mod = await import(pathToFileURL(join(here, 'specs', f)).href);
    const demo = await startDemo();
    let timer;
    try {
      await Promise.race([
        mod.default({ browser, demo }),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${specTimeoutMs} ms`)), specTimeoutMs))),
      ]);
      console.log(`ok   ${f} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${f}: ${e.stack || e}\ngallant demo's log tail:\n${demo.logs().slice(-3000)}`);
    } finally {
      clearTimeout(timer);
      await demo.stop();
    }
  }
} finally {
  await browser.close();
}
if (failed) {
  console.log(`${failed} of ${specs.length} e2e specs failed`);
  process.exit(1);
}
console.log(`all ${specs.length} e2e specs passed`);
