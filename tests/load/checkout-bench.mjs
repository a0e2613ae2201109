// Checkout load bench (issue: "scripts/bench adds checkout").
//
// Against a running stack (the same env as the API tests):
//   JISHI_BASE_URL, JISHI_VAR, JISHI_CTL (scripts/ctl, for SQL), JISHI_CONFIG,
//   JISHI_BIN (not needed here, accepted for symmetry);
//   BENCH_SECONDS (per timed phase, default 10);
//   BENCH_CEILING_RPS (optional: the ceiling req/s of scripts/bench's same
//   run, to print ratios); BENCH_BUYERS (32), BENCH_SKUS (200),
//   BENCH_FLASH_STOCK (100), BENCH_FLASH_PER_BUYER (32);
//   BENCH_PHASES (orders,cart,flash,floor: the timed phases to run).
//
// 1. fixture by SQL (createShop): a merchant with BENCH_SKUS SKUs of large
//    stock, another with one flash-sale SKU of BENCH_FLASH_STOCK units;
//    BENCH_BUYERS registered buyers, each with an address.
// 2. orders/s: wrk (-t2, one connection per buyer, each request as the
//    next buyer) POSTs buy-now checkouts (1 unit of a random SKU, cod, the
//    buyer's address, a fresh Idempotency-Key) for BENCH_SECONDS.
// 3. add-to-cart: wrk (-t2, one connection per buyer, each request as the
//    next buyer: own user session + CSRF, the buyer's next of 20 SKUs)
//    POSTs /api/v1/cart/items for BENCH_SECONDS, twice: with
//    Prefer: return=minimal (the line and the counts: what the shop's
//    product page asks for) and with the whole priced cart as the answer.
// 4. flash sale: BENCH_BUYERS x BENCH_FLASH_PER_BUYER buy-now checkouts of
//    the flash SKU, all at once; time from the first request to the last
//    unit sold (the BENCH_FLASH_STOCK-th 201), oversold, stock >= 0.
// 5. @@innodb_flush_log_at_trx_commit and @@sync_binlog of the primary.
// 6. the commit floor (BENCH_PHASES 'floor'): mariadb-slap, BENCH_BUYERS
//    clients on the primary's socket, single-row autocommit INSERTs into a
//    throwaway schema (replicated like everything else): how many durable,
//    replicated commits per second the database alone gives this machine,
//    with nothing else running, as a ratio to the same ceiling.
// For each timed phase, the CPU it cost per ok request, from /proc: the
// primary's and the replica's mariadbd, the jishi-fcgi processes, nginx,
// and the whole machine (/proc/stat: busy time of all CPUs, wrk and the
// kernel included).  The replica applies asynchronously: what it has not
// applied when a phase ends counts in the next.
// Prints one table. Exit 0 whatever the figures; 1 only when something
// failed to run (fixture, registration, SQL, an exception).
//
// The load generators run on the same machine as the stack: wrk for
// orders/s and add-to-cart (a Node client cost ~1.4 ms of CPU per
// checkout, a quarter of the machine at 400 orders/s), this Node process
// for the fixture and the flash sale's 1,024 requests at once.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import {
  ALL_SKUS, DB, assertLedgerConsistent, checkout, createShop, idemKey, lit, shopper, sql, sqlInt,
  stockOf,
} from '../api/orders-lib.mjs';

const SECS = Number(process.env.BENCH_SECONDS || 10);
const CEILING = Number(process.env.BENCH_CEILING_RPS || 0);
const NBUYERS = Number(process.env.BENCH_BUYERS || 32);
const NSKUS = Number(process.env.BENCH_SKUS || 200);
const FLASH_STOCK = Number(process.env.BENCH_FLASH_STOCK || 100);
const FLASH_PER_BUYER = Number(process.env.BENCH_FLASH_PER_BUYER || 32);
// BENCH_PHASES: which timed phases to run (default all: orders,cart,flash,floor).
const PHASES = new Set((process.env.BENCH_PHASES || 'orders,cart,flash,floor').split(','));
const TARGET_ORDERS = 500; // orders/s at 32 buyers, durable commits
const TARGET_CART = 25; // % of the ceiling
const TARGET_SELLOUT_MS = 2000;

const log = (m) => console.error(`checkout-bench: ${m}`);

function statusKey(r) {
  return r.status === 0 ? `err:${r.text.slice(0, 40)}` : String(r.status);
}

// CPU time so far, in clock ticks: per process of this stack's var dir
// (told apart by their command lines: {pid: [part, ticks]}) and the
// machine's busy time over all CPUs.
const CLK_TCK = 100; // USER_HZ: 100 on every Linux this runs on
function cpuTicks() {
  const v = process.env.JISHI_VAR;
  const procs = {};
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    let cmd;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile
    }
    const rp = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, rp);
    const f = stat.slice(rp + 2).split(' ');
    let part = null;
    if (comm === 'mariadbd' && cmd.includes(`${v}/conf/primary.cnf`)) part = 'primary';
    else if (comm === 'mariadbd' && cmd.includes(`${v}/conf/replica`)) part = 'replica';
    else if (comm === 'jishi-fcgi' || comm === 'jishi-media') part = 'app';
    else if (comm === 'nginx') part = 'nginx';
    if (part) procs[pid] = [part, Number(f[11]) + Number(f[12])]; // utime + stime
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { procs, machine: cpu.reduce((a, x) => a + x, 0) - cpu[3] - (cpu[4] || 0) }; // all but idle, iowait
}

// fn() run between two cpuTicks(); .cpu = µs of CPU per ok request
// (fn's result's .good) of each part, from the processes alive at the end
// (a worker recycled meanwhile takes its time with it: max_requests 0, as
// scripts/bench runs, avoids that) and of the machine.
async function withCpu(fn) {
  const a = cpuTicks();
  const r = await fn();
  const b = cpuTicks();
  const ticks = { primary: 0, replica: 0, app: 0, nginx: 0, machine: b.machine - a.machine };
  for (const [pid, [part, t]] of Object.entries(b.procs)) ticks[part] += t - (a.procs[pid]?.[1] ?? 0);
  r.cpu = {};
  for (const [k, t] of Object.entries(ticks)) r.cpu[k] = r.good > 0 ? (t * 1e6) / CLK_TCK / r.good : NaN;
  return r;
}

// The commit floor: mariadb-slap with `clients` connections on the
// primary's socket, `n` single-row autocommit INSERTs into a throwaway
// schema, as DB root (the primary's option file).  {rps, good, errors}.
async function commitFloor(clients, n) {
  // mariadb-slap refuses the option file's default-character-set: pass
  // the [client] credentials it needs by hand.
  const cnf = readFileSync(join(process.env.JISHI_VAR, 'conf', 'primary.cnf'), 'utf8');
  const client = (/\[client\]([^[]*)/.exec(cnf) || [])[1] || '';
  const opt = (k) => ((new RegExp(`^\\s*${k}\\s*=\\s*(\\S+)`, 'm').exec(client)) || [])[1];
  if (!opt('socket')) throw new Error('no [client] socket in the primary\'s option file');
  const { stdout } = await promisify(execFile)('mariadb-slap', [
    '--no-defaults', `--user=${opt('user')}`, `--password=${opt('password')}`, `--socket=${opt('socket')}`,
    `--concurrency=${clients}`, '--iterations=1', `--number-of-queries=${n}`,
    '--create-schema=jishi_bench_floor',
    '--create=CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB',
    '--query=INSERT INTO t (v) VALUES (1)',
  ], { timeout: 600000 });
  const secs = Number((/Average number of seconds to run all queries: ([\d.]+)/.exec(stdout) || [])[1]);
  if (!(secs > 0)) throw new Error(`mariadb-slap: no timing in:\n${stdout}`);
  return { rps: n / secs, good: n, errors: 0, p50: NaN, p99: NaN, statuses: {}, genUs: NaN };
}

// wrk's latency figure ("1.23ms", "850.00us", "1.02s") in ms.
function wrkMs(v) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v || '');
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}

// wrk (-t2, one connection per buyer) POSTing path as the next buyer in
// turn (its session cookie + CSRF token) for secs; body(b, n) and extra
// headers are Lua expressions (b: the buyer's row {cookie, csrf, index,
// address id}; n: the thread's request count; tid: the thread's number).
// Counts the statuses; ok/s = req/s x the share of 201s.  wrk's own CPU is
// a tenth of a Node client's, which matters on a 2-core machine.
async function wrkPost(buyers, skuIds, secs, path, { body, headers = '' }) {
  const dir = mkdtempSync(join(tmpdir(), 'jishi-wrk-'));
  const rows = buyers.map((b, i) => `{${JSON.stringify(b.client.cookieHeader())}, ` +
    `${JSON.stringify(b.client.csrf)}, ${i}, ${Number(b.address?.id || 0)}}`);
  const script = `
local buyers = { ${rows.join(', ')} }
local skus = { ${skuIds.join(', ')} }
local n = 0
local nonce = "${Date.now().toString(36)}"
local threads = {}
counts = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
-- tid: a global set per thread by setup().
function init(args) math.randomseed((tid or 0) * 7919 + os.time()) end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, k .. "=" .. v) end
  io.write("statuses: " .. table.concat(parts, " ") .. "\\n")
end
function request()
  n = n + 1
  local b = buyers[(n % #buyers) + 1]
  local h = { ["Cookie"] = b[1], ["X-CSRF-Token"] = b[2],
              ["Content-Type"] = "application/json" }
  ${headers}
  return wrk.format("POST", "${path}", h, ${body})
end
`;
  const file = join(dir, 'post.lua');
  writeFileSync(file, script);
  try {
    const { stdout } = await promisify(execFile)('wrk', ['-t2', `-c${buyers.length}`, `-d${secs}s`,
      '--latency', '-s', file, process.env.JISHI_BASE_URL], { timeout: (secs + 60) * 1000 });
    if (process.env.BENCH_DEBUG) console.error(stdout);
    // No status line: wrk did not run the script (it then sends GET /).
    if (!/statuses: /.test(stdout)) throw new Error(`wrk did not run the script for ${path}:\n${stdout}`);
    const num = (re) => Number((re.exec(stdout) || [])[1] || 0);
    const total = num(/(\d+) requests in/);
    const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
    const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, x) => a + Number(x), 0) : 0);
    const statuses = Object.fromEntries(((/statuses: (.*)/.exec(stdout) || [])[1] || '')
      .split(' ').filter(Boolean).map((kv) => kv.split('=')));
    const good = Number(statuses['201'] || 0);
    const rps = num(/Requests\/sec:\s+([\d.]+)/) * (total ? good / total : 0);
    return {
      rps, good, errors: errors + (total - non2xx - good), genUs: NaN,
      p50: wrkMs((/\s50%\s+(\S+)/.exec(stdout) || [])[1]),
      p99: wrkMs((/\s99%\s+(\S+)/.exec(stdout) || [])[1]),
      statuses,
      sample: null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// POST /api/v1/cart/items: each buyer the next of its 20 SKUs, 1 unit.
function wrkAddToCart(buyers, skuIds, secs, prefer) {
  return wrkPost(buyers, skuIds, secs, '/api/v1/cart/items', {
    headers: prefer ? 'h["Prefer"] = "return=minimal"' : '',
    body: `'{"sku_id":' .. skus[(b[3] * 7 + math.floor(n / #buyers) % 20) % #skus + 1] .. ',"quantity":1}'`,
  });
}

// POST /api/v1/checkout: buy-now of 1 unit of a random SKU, cash on
// delivery, to the buyer's address, under a fresh Idempotency-Key.
function wrkCheckout(buyers, skuIds, secs) {
  return wrkPost(buyers, skuIds, secs, '/api/v1/checkout', {
    headers: 'h["Idempotency-Key"] = "cbw-" .. nonce .. "-" .. (tid or 0) .. "-" .. n',
    body: `'{"address_id":' .. b[4] .. ',"payment_method":"cod","items":[{"sku_id":' .. ` +
      `skus[math.random(#skus)] .. ',"quantity":1}]}'`,
  });
}

async function main() {
  for (const v of ['JISHI_BASE_URL', 'JISHI_VAR', 'JISHI_CTL']) {
    if (!process.env[v]) throw new Error(`${v} is not set`);
  }

  // 5. durability, first: it is part of what the figures mean.
  const [flushLog, syncBinlog] = (await sql('SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog'))
    .split('\n').pop().split('\t');
  const durable = flushLog === '1' && syncBinlog === '1';

  // 1. fixture.
  let t = performance.now();
  // createShop writes a few statements per SKU, passed as one argv string
  // (E2BIG past 128 kB at 200 SKUs): it makes the merchants, the category
  // and the flash SKU; the bulk SKUs are added here in a few set-based
  // statements under the same merchant and category.
  const shop = await createShop({
    merchants: {
      m: { skus: { cb0: { price: 1000, stock: 10000000, weight: 300 } } },
      f: { skus: { flash: { price: 9900, stock: FLASH_STOCK, weight: 200 } } },
    },
  });
  const first = shop.skus.cb0;
  const values = Array.from({ length: NSKUS - 1 }, (_, j) => {
    const i = j + 1;
    return `(${first.merchantId}, @cat, ${lit(`op-${shop.tag}-cb${i}`)}, ${lit(`${shop.tag} 商品 cb${i}`)}, 'checkout bench', ` +
      `'live', ${1000 + (i % 50) * 100}, ${1000 + (i % 50) * 100}, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`;
  });
  const like = lit(`op-${shop.tag}-cb%`);
  await sql(`
    SET @cat = (SELECT category_id FROM ${DB}.products WHERE id = ${first.productId});
    INSERT INTO ${DB}.products (merchant_id, category_id, slug, name, description, status, min_price, max_price,
      in_stock, created_at, updated_at, published_at) VALUES ${values.join(',\n')};
    INSERT INTO ${DB}.skus (product_id, code, option1, price, stock, weight_g, position)
      SELECT p.id, SUBSTRING_INDEX(p.slug, '-', -1), '标准', p.min_price, 10000000, 300, 0
      FROM ${DB}.products p WHERE p.slug LIKE ${like} AND p.id <> ${first.productId};
    INSERT INTO ${DB}.inventory_movements (sku_id, delta, reason)
      SELECT s.id, s.stock, 'restock' FROM ${DB}.skus s JOIN ${DB}.products p ON p.id = s.product_id
      WHERE p.slug LIKE ${like} AND p.id <> ${first.productId};`);
  const ids = (await sql(`SELECT s.id FROM ${DB}.skus s JOIN ${DB}.products p ON p.id = s.product_id
    WHERE p.slug LIKE ${like} ORDER BY s.id`)).split('\n').map(Number).filter((x) => x > 0);
  if (ids.length !== NSKUS) throw new Error(`fixture: ${ids.length} SKUs, not ${NSKUS}`);
  for (const id of ids) if (!ALL_SKUS.has(id)) ALL_SKUS.set(id, { key: `sku${id}`, id });
  const skuIds = ids;
  const flash = shop.skus.flash;
  log(`fixture ${shop.tag}: ${NSKUS} SKUs + flash SKU ${flash.id} (${FLASH_STOCK} units) in ${Math.round(performance.now() - t)} ms`);

  t = performance.now();
  const buyers = [];
  for (let i = 0; i < NBUYERS; i += 8) {
    buyers.push(...await Promise.all(
      Array.from({ length: Math.min(8, NBUYERS - i) }, (_, k) => shopper(`cb${i + k}`)),
    ));
  }
  log(`${NBUYERS} buyers registered with addresses in ${Math.round(performance.now() - t)} ms`);

  // 2. orders/s: buy-now checkouts over many SKUs.
  log(`orders: ${NBUYERS} buyers, wrk, buy-now checkouts for ${SECS} s`);
  const skipped = { rps: NaN, good: 0, errors: 0, p50: NaN, p99: NaN, statuses: {}, genUs: NaN, cpu: {} };
  const orders = PHASES.has('orders') ? await withCpu(() => wrkCheckout(buyers, skuIds, SECS)) : skipped;

  // 3. add-to-cart with wrk: the short answer, then the whole cart.
  log(`add-to-cart: ${NBUYERS} buyers, wrk, ${SECS} s, Prefer: return=minimal`);
  const cart = PHASES.has('cart') ? await withCpu(() => wrkAddToCart(buyers, skuIds, SECS, true)) : skipped;
  log(`add-to-cart: ${NBUYERS} buyers, wrk, ${SECS} s, the whole cart as the answer`);
  const cartFull = PHASES.has('cart') ? await withCpu(() => wrkAddToCart(buyers, skuIds, SECS, false)) : skipped;
  // The same number of clients committing one row each, and nothing else.
  const floorN = Math.max(2000, 1500 * SECS);
  log(`commit floor: mariadb-slap, ${NBUYERS} clients, ${floorN} single-row INSERTs`);
  const floor = PHASES.has('floor') ? await withCpu(() => commitFloor(NBUYERS, floorN)) : skipped;

  // 4. flash sale.
  const total = NBUYERS * FLASH_PER_BUYER;
  log(`flash sale: ${total} concurrent buy-now checkouts for ${FLASH_STOCK} units`);
  const fstat = {};
  const wins = [];
  let fsample = null;
  const f0 = performance.now();
  const fres = !PHASES.has('flash') ? [] : await Promise.all(buyers.flatMap((b, i) => Array.from({ length: FLASH_PER_BUYER }, (_, k) =>
    checkout(b.client, {
      address_id: b.address.id,
      payment_method: 'cod',
      items: [{ sku_id: flash.id, quantity: 1 }],
    }, idemKey(`fs${i}x${k}`), { timeoutMs: 120000 })
      .catch((e) => ({ status: 0, text: String(e) }))
      .then((r) => {
        if (r.status === 201) wins.push(performance.now() - f0);
        return r;
      }))));
  const fwall = performance.now() - f0;
  for (const r of fres) {
    const k = statusKey(r);
    fstat[k] = (fstat[k] || 0) + 1;
    if (r.status !== 201 && r.status !== 409 && !fsample) fsample = `${r.status} ${String(r.text).slice(0, 200)}`;
  }
  wins.sort((a, b) => a - b);
  const soldOutMs = wins.length >= FLASH_STOCK ? wins[FLASH_STOCK - 1] : null;
  const oversold = wins.length - FLASH_STOCK;
  const flashStock = await stockOf(flash.id);
  const flashOrders = await sqlInt(`SELECT COALESCE(SUM(i.quantity), 0) FROM ${DB}.order_items i WHERE i.sku_id = ${flash.id}`);
  let ledger = 'consistent';
  try {
    await assertLedgerConsistent([...ALL_SKUS.keys()], 'checkout bench');
  } catch (e) {
    ledger = `INCONSISTENT: ${e.message.split('\n')[0]}`;
  }

  // 6. report.
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  const ratio = (rps) => (CEILING > 0 ? (rps / CEILING).toFixed(3) : '-');
  const durNote = `flush_log_at_trx_commit=${flushLog} sync_binlog=${syncBinlog}${durable ? ' (durable)' : ' (RELAXED: targets are for 1/1)'}`;
  const verdict = (ok) => (ok ? 'PASS' : 'BELOW');
  const rows = [
    ['ceiling (scripts/bench, same run)', CEILING > 0 ? CEILING.toFixed(0) : '(not given)', '-', '-', '-', '-', CEILING > 0 ? '1.000' : '-', '-', '-', ''],
    ['checkout buy-now (orders/s)', orders.rps.toFixed(1), orders.good, orders.errors, f1(orders.p50), f1(orders.p99),
      ratio(orders.rps), f1(orders.genUs), `>=${TARGET_ORDERS}/s`, `${verdict(orders.rps >= TARGET_ORDERS)}${durable ? '' : ' (relaxed durability)'}`],
    ['POST /api/v1/cart/items (minimal)', cart.rps.toFixed(1), cart.good, cart.errors, f1(cart.p50), f1(cart.p99),
      ratio(cart.rps), '(wrk)', `>=${(TARGET_CART / 100).toFixed(2)}`, CEILING > 0 ? verdict(cart.rps / CEILING >= TARGET_CART / 100) : '(no ceiling given)'],
    ['POST /api/v1/cart/items (full cart)', cartFull.rps.toFixed(1), cartFull.good, cartFull.errors, f1(cartFull.p50),
      f1(cartFull.p99), ratio(cartFull.rps), '(wrk)', '-', ''],
    ['commit floor (mariadb-slap INSERT)', floor.rps.toFixed(1), floor.good, floor.errors, '-', '-', ratio(floor.rps),
      '-', '-', '(no stack)'],
  ];
  const head = ['route', 'ok/s', 'ok', 'errors', 'p50_ms', 'p99_ms', 'ratio', 'gen_µs/req', 'target', 'verdict'];
  const w = [34, 11, 7, 7, 8, 8, 7, 10, 8, 0];
  const line = (cols) => cols.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' ');
  console.log('');
  console.log(`checkout bench: ${NBUYERS} concurrent buyers, ${NSKUS} SKUs, ${SECS} s per run, primary ${durNote}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`  checkout statuses ${JSON.stringify(orders.statuses)}${orders.sample ? `; first non-201: ${orders.sample}` : ''}`);
  console.log(`  add-to-cart statuses: minimal ${JSON.stringify(cart.statuses)}, full ${JSON.stringify(cartFull.statuses)}`);
  const us = (x) => (Number.isFinite(x) ? String(Math.round(x)) : '-');
  console.log('  CPU per ok request, µs (from /proc): primary, replica, jishi-fcgi, nginx; machine = all CPUs busy (wrk, kernel included):');
  for (const [name, r] of [['checkout buy-now', orders], ['add-to-cart (minimal)', cart], ['add-to-cart (full cart)', cartFull],
    ['commit floor', floor]]) {
    if (r.good > 0) console.log(`    ${name.padEnd(24)} ${us(r.cpu.primary)}, ${us(r.cpu.replica)}, ${us(r.cpu.app)}, ${us(r.cpu.nginx)}; machine ${us(r.cpu.machine)}`);
  }
  if (CEILING > 0 && floor.good > 0)
    console.log(`  add-to-cart target ${(TARGET_CART / 100).toFixed(2)} x ceiling = ${Math.round(CEILING * TARGET_CART / 100)} adds/s; ` +
      `the commit floor alone gives ${Math.round(floor.rps)} commits/s (${(floor.rps / CEILING).toFixed(3)}) at ${us(floor.cpu.machine)} µs of machine CPU each`);
  const soldOk = soldOutMs !== null && soldOutMs < TARGET_SELLOUT_MS;
  const overOk = oversold <= 0 && flashStock >= 0 && flashOrders <= FLASH_STOCK;
  if (!PHASES.has('flash')) console.log('flash sale: skipped (BENCH_PHASES)');
  else console.log(`flash sale: ${total} concurrent buy-now requests for ${FLASH_STOCK} units: ` +
    `sold out in ${soldOutMs === null ? `NOT SOLD OUT (${wins.length} sold)` : `${Math.round(soldOutMs)} ms`} ` +
    `(target < ${TARGET_SELLOUT_MS} ms: ${verdict(soldOk)}); all answered in ${Math.round(fwall)} ms; ` +
    `oversold ${Math.max(0, oversold)} (201s ${wins.length}, stock now ${flashStock}, units in orders ${flashOrders}; target 0: ${overOk ? 'PASS' : 'FAIL'}); ` +
    `statuses ${JSON.stringify(fstat)}${fsample ? `; first odd: ${fsample}` : ''}`);
  console.log(`inventory ledger over the ${ALL_SKUS.size} bench SKUs: ${ledger}`);
  console.log('ratio = ok/s / BENCH_CEILING_RPS; gen_µs/req = CPU of this Node load generator per request (it shares the machine: part of what limits the figures).');
}

main().then(() => process.exit(0), (e) => {
  console.error(`checkout-bench: FAILED: ${e?.stack || e}`);
  process.exit(1);
});
