// Checks the first page's JavaScript budget after `BUNDLE_BUDGET=1 vite build` (which writes the manifest): the entry
// chunk, everything it imports statically, and the overview page's chunk
// with its static imports (what a signed-in user's first visit loads),
// gzipped, must stay under BUDGET_KB. Reads Vite's manifest, then removes
// it (the binary should not serve it).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 350;
const dist = new URL('../dist/app/', import.meta.url).pathname;
const manifestPath = join(dist, '.vite', 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
const overview = Object.entries(manifest).find(([src]) => src.endsWith('pages/overview/OverviewPage.tsx'));
if (!entry || !overview) {
  console.error('budget: the manifest has no entry or no overview page chunk');
  process.exit(1);
}

const files = new Set();
function walk(key) {
  const c = manifest[key];
  if (!c || files.has(c.file)) return;
  files.add(c.file);
  for (const i of c.imports ?? []) walk(i);
}
walk(entry[0]);
walk(overview[0]);

let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  total += gz;
  console.log(`budget: ${f} ${(gz / 1024).toFixed(1)} KB gzipped`);
}
rmSync(join(dist, '.vite'), { recursive: true, force: true });
const kb = total / 1024;
console.log(`budget: first page JavaScript ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (kb > BUDGET_KB) {
  console.error(`budget: over budget by ${(kb - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}
