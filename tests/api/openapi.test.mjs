// fcgi-app/openapi.yaml against the route table (fcgi-app/src/routes.c),
// and the document's lint with @redocly/cli. Needs no running stack.
//
// (a) every row `{ "METHOD", "/path/:param", handler, ACCESS_X, flags }` of
//     routes.c has an operation in the document (`:param` is `{param}`
//     there) with the same access level (x-access), and every operation
//     of the document is a row of the table;
// (b) `redocly lint --config tests/redocly.yaml` passes, when @redocly/cli
//     is installed in tests/node_modules (skipped otherwise).
//
// The document is read as JSON from `redocly bundle --ext json`; without
// redocly, (a) falls back to a line reader of the `paths:` section.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TESTS = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(TESTS, '..');
const ROUTES_C = join(REPO, 'fcgi-app/src/routes.c');
const OPENAPI = join(REPO, 'fcgi-app/openapi.yaml');
const REDOCLY_CONFIG = join(TESTS, 'redocly.yaml');
const REDOCLY = join(TESTS, 'node_modules/@redocly/cli/bin/cli.js');
// JISHI_OPENAPI_NO_REDOCLY=1 exercises the fallback reader.
const HAVE_REDOCLY = existsSync(REDOCLY) && process.env.JISHI_OPENAPI_NO_REDOCLY !== '1';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const REDOCLY_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

// The route table: [{method, path (OpenAPI form), pattern, access, flags}].
export function parseRoutes(src) {
  const code = src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const row = /\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*([A-Za-z_]\w*)\s*,\s*(ACCESS_[A-Z_]+)\s*,\s*([^{}]*?)\s*\}/g;
  const routes = [];
  for (const m of code.matchAll(row)) {
    routes.push({
      method: m[1].toLowerCase(),
      pattern: m[2],
      path: m[2].replace(/:([A-Za-z_]\w*)/g, '{$1}'),
      handler: m[3],
      access: m[4].replace(/^ACCESS_/, '').toLowerCase(),
      flags: m[5],
    });
  }
  return routes;
}

// Without redocly: {paths: {path: {method: {'x-access': …}}}} read line by
// line from the block-style `paths:` section.
export function readPathsByLines(yamlText) {
  const paths = {};
  let inPaths = false;
  let path = null;
  let op = null;
  for (const line of yamlText.split('\n')) {
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*$/.test(line);
      path = op = null;
      continue;
    }
    if (!inPaths) continue;
    let m;
    if ((m = /^ {2}(['"]?)(\/[^'":]*)\1:\s*$/.exec(line))) {
      path = m[2];
      paths[path] = {};
      op = null;
    } else if (path && (m = /^ {4}([a-z]+):\s*$/.exec(line))) {
      op = METHODS.includes(m[1]) ? (paths[path][m[1]] = {}) : null;
    } else if (op && (m = /^ {6}x-access:\s*(\S+)\s*$/.exec(line))) {
      op['x-access'] = m[1];
    }
  }
  return { paths };
}

async function loadDocument() {
  if (!HAVE_REDOCLY) return readPathsByLines(readFileSync(OPENAPI, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'jishi-openapi-'));
  try {
    const out = join(dir, 'openapi.json');
    await run(process.execPath, [REDOCLY, 'bundle', OPENAPI, '--output', out], {
      env: REDOCLY_ENV,
      timeout: 120000,
    });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function operations(doc) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) {
      if (item[method]) ops.push({ method, path, op: item[method] });
    }
  }
  return ops;
}

const key = (x) => `${x.method.toUpperCase()} ${x.path}`;

// Follow a local $ref ("#/components/...") of the bundled document.
function deref(doc, obj) {
  let o = obj;
  for (let i = 0; o && o.$ref && i < 10; i++) {
    o = o.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, p) => acc?.[p], doc);
  }
  return o;
}

test('routes.c parses into a non-empty route table', () => {
  const routes = parseRoutes(readFileSync(ROUTES_C, 'utf8'));
  assert.ok(routes.length > 0, 'no route rows found in routes.c');
  for (const r of routes) assert.match(r.pattern, /^\//, `pattern ${r.pattern}`);
  // The regex must see every row: compare with a plain count of them.
  const src = readFileSync(ROUTES_C, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' ');
  const rows = (src.match(/\{\s*"[A-Z]+"\s*,/g) || []).length;
  assert.equal(routes.length, rows, 'a route row that the parser does not understand');
});

test('every route in routes.c is documented in openapi.yaml, and nothing else', async () => {
  const routes = parseRoutes(readFileSync(ROUTES_C, 'utf8'));
  const doc = await loadDocument();
  const documented = operations(doc);
  const inTable = new Set(routes.map(key));
  const inDoc = new Set(documented.map(key));
  const missing = [...inTable].filter((k) => !inDoc.has(k));
  const extra = [...inDoc].filter((k) => !inTable.has(k));
  assert.deepEqual(missing, [], `routes missing from fcgi-app/openapi.yaml: ${missing.join(', ')}`);
  assert.deepEqual(extra, [], `operations in fcgi-app/openapi.yaml not in routes.c: ${extra.join(', ')}`);
});

test('each operation declares the access level of its route', async () => {
  const routes = parseRoutes(readFileSync(ROUTES_C, 'utf8'));
  const doc = await loadDocument();
  const byKey = new Map(operations(doc).map((o) => [key(o), o.op]));
  for (const r of routes) {
    const op = byKey.get(key(r));
    if (!op) continue; // reported by the test above
    assert.equal(op['x-access'], r.access, `${key(r)}: x-access should be ${r.access}`);
  }
});

test('operations document errors and idempotency as the route table says', { skip: !HAVE_REDOCLY && 'needs @redocly/cli to read the whole document' }, async () => {
  const routes = parseRoutes(readFileSync(ROUTES_C, 'utf8'));
  const doc = await loadDocument();
  const byKey = new Map(operations(doc).map((o) => [key(o), o.op]));
  for (const r of routes) {
    const op = byKey.get(key(r));
    if (!op) continue;
    const codes = Object.keys(op.responses || {});
    assert.ok(codes.some((c) => /^2/.test(c)), `${key(r)}: no 2xx response`);
    assert.ok(codes.includes('405'), `${key(r)}: 405 (other methods) not documented`);
    if (/\bROUTE_JSON\b/.test(r.flags)) {
      assert.ok(op.requestBody?.content?.['application/json'], `${key(r)}: JSON body not documented`);
      for (const c of ['400', '413', '415']) {
        assert.ok(codes.includes(c), `${key(r)}: takes JSON but ${c} not documented`);
      }
    }
    if (r.access === 'loopback') {
      assert.ok(codes.includes('404') || codes.includes('403'), `${key(r)}: loopback refusal not documented`);
    }
    const params = [...(doc.paths[r.path].parameters || []), ...(op.parameters || [])]
      .map((p) => deref(doc, p))
      .map((p) => `${p.in}:${String(p.name).toLowerCase()}`);
    const unsafe = !['get', 'head', 'options'].includes(r.method);
    const session = !['public', 'loopback'].includes(r.access);
    if (unsafe && session && !/\b(ROUTE_NOCSRF|NOCSRF)\b/.test(r.flags)) {
      assert.ok(params.includes('header:x-csrf-token'), `${key(r)}: X-CSRF-Token header not documented`);
      assert.ok(codes.includes('403'), `${key(r)}: needs CSRF but 403 not documented`);
    }
    if (session) {
      assert.ok(codes.includes('401') || r.access === 'guest', `${key(r)}: 401 not documented`);
    }
    for (const m of r.pattern.matchAll(/:([A-Za-z_]\w*)/g)) {
      assert.ok(params.includes(`path:${m[1].toLowerCase()}`), `${key(r)}: path parameter ${m[1]} not documented`);
    }
    const idem = /\bROUTE_IDEMPOTENT\b/.test(r.flags);
    assert.equal(
      op['x-idempotency'],
      idem ? 'idempotency-key' : 'none',
      `${key(r)}: x-idempotency should be ${idem ? 'idempotency-key' : 'none'}`,
    );
    if (idem) {
      assert.ok(params.includes('header:idempotency-key'), `${key(r)}: Idempotency-Key header not documented`);
    }
  }
});

test('the error schema is a reusable component of the documented shape', { skip: !HAVE_REDOCLY && 'needs @redocly/cli to read the whole document' }, async () => {
  const doc = await loadDocument();
  const err = doc.components?.schemas?.Error;
  assert.ok(err, 'components.schemas.Error is missing');
  assert.deepEqual(err.required, ['error']);
  const inner = err.properties.error;
  assert.deepEqual(inner.required, ['code', 'message']);
  assert.deepEqual(Object.keys(inner.properties).sort(), ['code', 'field', 'message']);
});

test('redocly lint passes', { skip: !HAVE_REDOCLY && '@redocly/cli is not installed in tests/node_modules' }, async () => {
  let stdout;
  try {
    ({ stdout } = await run(
      process.execPath,
      [REDOCLY, 'lint', '--config', REDOCLY_CONFIG, '--format', 'json', OPENAPI],
      { env: REDOCLY_ENV, timeout: 120000, maxBuffer: 16 << 20 },
    ));
  } catch (e) {
    stdout = e.stdout;
    if (!stdout) throw e;
  }
  const report = JSON.parse(stdout);
  const problems = (report.problems || [])
    .map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '?'}`)
    .join('\n');
  assert.equal(report.totals.errors, 0, `redocly lint errors:\n${problems}`);
  assert.equal(report.totals.warnings, 0, `redocly lint warnings:\n${problems}`);
});
