// Helpers for the API tests (not a test file itself).
//
// Env: JISHI_BASE_URL  nginx of the stack under test (http://127.0.0.1:PORT)
//      JISHI_CONFIG    the stack's app config (pidfile, limits)
//      JISHI_VAR       the stack's var dir, JISHI_CTL path to scripts/ctl
//                      (fault tests stop and start parts of the stack).
// Synchronisation is always a poll against a deadline, never a bare sleep.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BASE = (process.env.JISHI_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const CONFIG = process.env.JISHI_CONFIG
  ? JSON.parse(readFileSync(process.env.JISHI_CONFIG, 'utf8'))
  : null;
export const MAX_BODY = CONFIG?.limits?.max_body_bytes ?? 1048576;

export function url(path) {
  return BASE + path;
}

// fetch with a time limit; returns {res, status, headers, text, json}.
export async function req(path, opts = {}) {
  const res = await fetch(url(path), {
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15000),
    ...opts,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { res, status: res.status, headers: res.headers, text, json };
}

export function postJson(path, body, headers = {}) {
  return req(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

// The one error shape: {"error":{"code","message","field"?}} as JSON.
export function assertError(r, status, code) {
  assert.equal(r.status, status, `status (body: ${r.text.slice(0, 200)})`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/,
    'error content type');
  assert.ok(r.json && typeof r.json.error === 'object', `error object in ${r.text.slice(0, 200)}`);
  assert.equal(r.json.error.code, code, 'error code');
  assert.equal(typeof r.json.error.message, 'string', 'error message');
  assert.ok(r.json.error.message.length > 0, 'error message not empty');
}

// Poll fn() every intervalMs until it returns a truthy value; throw with
// the last value seen when the deadline passes.
export async function waitFor(what, fn, { timeoutMs = 30000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${
        last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    // the polling interval between two looks at the condition
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function health() {
  return req('/api/v1/health', { timeoutMs: 5000 });
}

// scripts/ctl ARGS... on the stack under test; resolves to its stdout.
export async function ctl(...args) {
  const ctlPath = process.env.JISHI_CTL;
  assert.ok(ctlPath && process.env.JISHI_VAR, 'JISHI_CTL and JISHI_VAR must be set for fault tests');
  const { stdout } = await run('bash', [ctlPath, ...args], {
    env: process.env,
    timeout: 180000,
  });
  return stdout;
}

// Replication really flows: the replica applies everything the primary has
// logged by now (MASTER_GTID_WAIT returns 0, not -1 on timeout).
export async function assertReplicaCaughtUp(timeoutSec = 30) {
  // A fresh event of our own, so the position moved since the fault.
  const pos = (await ctl('sql', 'primary',
    'CREATE DATABASE IF NOT EXISTS jishi_probe; DROP DATABASE jishi_probe; ' +
    'SELECT @@GLOBAL.gtid_binlog_pos')).trim();
  assert.match(pos, /^\d+-\d+-\d+/, `primary GTID position '${pos}'`);
  const r = (await ctl('sql', 'replica', `SELECT MASTER_GTID_WAIT('${pos}', ${timeoutSec})`)).trim();
  assert.equal(r, '0', `replica reached ${pos}`);
}

// --- processes -------------------------------------------------------------

function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

export function alive(pid) {
  const st = procStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

export function masterPid() {
  assert.ok(CONFIG, 'JISHI_CONFIG must be set');
  const pid = Number(readFileSync(CONFIG.pidfile, 'utf8').trim());
  assert.ok(pid > 1 && alive(pid), `master pid ${pid} from ${CONFIG.pidfile} is alive`);
  return pid;
}

// Live children of pid, sorted.
export function childrenOf(pid) {
  const kids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(name);
    if (st && st.ppid === pid && st.state !== 'Z' && st.state !== 'X') kids.push(Number(name));
  }
  return kids.sort((a, b) => a - b);
}

// Value of an unlabelled Prometheus sample, or undefined.
export function metricValue(text, name) {
  const m = text.match(new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm'));
  return m ? Number(m[1]) : undefined;
}

/**
 * The demo marketplace (`jishi-fcgi seed`, 300 products) on the stack
 * under test, once: the demo accounts and shops the e2e tests and the
 * demo-orders script use.  A no-op without JISHI_BIN and JISHI_VAR (a
 * scripts/run stack is seeded already) or when it is seeded.  Returns the
 * seed's first lines.
 */
export async function seedDemo() {
  const bin = process.env.JISHI_BIN;
  const varDir = process.env.JISHI_VAR;
  if (!bin || !varDir) return '';
  try {
    const { stdout } = await run(bin, ['seed', '--config', `${varDir}/jishi.json`, '--products', '300'],
      { timeout: 120000, maxBuffer: 4 << 20 });
    return stdout.split('\n').filter(Boolean).slice(0, 3).join('\n');
  } catch (err) {
    const out = `${err.stdout || ''}${err.stderr || ''}`;
    if (!/already seeded/i.test(out)) throw new Error(`seed failed: ${out || err.message}`);
    return out.split('\n').filter(Boolean).slice(0, 3).join('\n');
  }
}
