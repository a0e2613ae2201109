// Focus: every locale file carries the same keys as the default one, and
// every error code the API client can produce has a translation.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]);
}

const base = load('zh-CN.json');
const others = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'zh-CN.json');

describe('locale files', () => {
  it('include English', () => {
    expect(others).toContain('en.json');
  });

  for (const file of others) {
    it(`${file} has exactly the keys of zh-CN.json`, () => {
      expect(keys(load(file)).sort()).toEqual(keys(base).sort());
    });
  }

  it('translate every health status and client-side error code', () => {
    for (const s of ['ok', 'degraded', 'down', 'unknown']) {
      expect(base.health.status[s]).toBeTruthy();
    }
    for (const code of ['network_error', 'timeout', 'unavailable', 'server_error', 'bad_response', 'unknown']) {
      expect(base.errors[code]).toBeTruthy();
    }
  });
});
