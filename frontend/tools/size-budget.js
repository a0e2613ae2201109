// Fails when the JS that index.html loads up front (entry script plus its
// modulepreloads) is over budget, gzipped. Route chunks (shop, merchant,
// admin pages) are lazy and are not counted. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = Number(process.env.JISHI_JS_BUDGET_KB) || 60;
const dist = new URL('../dist/', import.meta.url);
const html = readFileSync(new URL('index.html', dist), 'utf8');
const files = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/([^"]+\.js)"/g)]
  .map((m) => m[1]);
if (!files.length) {
  console.error('size-budget: no script found in dist/index.html');
  process.exit(1);
}
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(new URL(f, dist)), { level: 9 }).length;
  total += gz;
  console.log(`  ${f}  ${(gz / 1024).toFixed(1)} kB gzip`);
}
const kb = total / 1024;
console.log(`initial JS: ${kb.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB)`);
process.exit(kb > BUDGET_KB ? 1 : 0);
