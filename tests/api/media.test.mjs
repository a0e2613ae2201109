// Image uploads: a merchant's staff send an image; it is resized with
// libvips into thumb/card/full in WebP and JPEG, served by nginx with a
// year-long immutable cache; anything that is not an image is refused.
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import { deflateSync } from 'node:zlib';

import { url } from './lib.mjs';
import { Client, activeMerchant, createAdmin, registerUser } from './accounts-lib.mjs';

// A real PNG, w x h, a colour gradient: built here byte by byte.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x * 3] = (x * 255) / w;
      raw[row + 2 + x * 3] = (y * 255) / h;
      raw[row + 3 + x * 3] = 128;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function upload(client, body, type = 'image/png') {
  const res = await fetch(url('/api/v1/merchant/images'), {
    method: 'POST',
    headers: { Cookie: client.cookieHeader(), 'X-CSRF-Token': client.csrf || '', 'Content-Type': type },
    body,
    signal: AbortSignal.timeout(60000),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

let staff;
let shopper;

before(async () => {
  const admin = (await createAdmin()).client;
  staff = (await activeMerchant(admin, 'img-owner')).owner.client;
  shopper = (await registerUser('img-shopper')).client;
});

test('an uploaded PNG is stored in three sizes and two formats, cached forever', async () => {
  const r = await upload(staff, png(1600, 900));
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.base, /^m\/\d+\/[0-9a-f]{16}$/);
  assert.equal(r.json.width, 1200, 'full is 1200 px on the long edge');
  assert.equal(r.json.height, 675);
  const want = { thumb: 160, card: 480, full: 1200 };
  for (const [size, edge] of Object.entries(want)) {
    for (const fmt of ['webp', 'jpg']) {
      const res = await fetch(url(r.json[size][fmt]));
      assert.equal(res.status, 200, `${size}.${fmt}`);
      assert.equal(res.headers.get('content-type'), fmt === 'webp' ? 'image/webp' : 'image/jpeg');
      assert.match(res.headers.get('cache-control') || '', /immutable/);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (fmt === 'jpg') {
        assert.equal(bytes[0], 0xff, 'a JPEG');
        // the SOF marker holds height then width
        let i = 2;
        let dims;
        while (i < bytes.length) {
          const m = bytes[i + 1];
          const len = bytes.readUInt16BE(i + 2);
          if (m >= 0xc0 && m <= 0xc2) {
            dims = [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
            break;
          }
          i += 2 + len;
        }
        assert.equal(Math.max(...dims), edge, `${size}.jpg long edge`);
      } else {
        assert.equal(bytes.subarray(8, 12).toString('ascii'), 'WEBP');
      }
    }
  }
  // The original and temp files are never served.
  const orig = await fetch(url(`/media/${r.json.base}-orig.png`));
  assert.equal(orig.status, 404);
});

test('a small image is not upscaled', async () => {
  const r = await upload(staff, png(100, 50));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.width, 100);
  assert.equal(r.json.height, 50);
});

test('not an image: 415 for the wrong type, 400 for bytes that are no image', async () => {
  let r = await upload(staff, 'hello', 'text/plain');
  assert.equal(r.status, 415, r.text);
  r = await upload(staff, Buffer.from('this is not a png at all'), 'image/png');
  assert.equal(r.status, 400, r.text);
  const truncated = png(400, 400).subarray(0, 200);
  r = await upload(staff, truncated, 'image/png');
  assert.equal(r.status, 400, r.text);
  r = await upload(staff, Buffer.alloc(0), 'image/png');
  assert.equal(r.status, 400, r.text);
});

test("only a merchant's staff may upload; CSRF applies", async () => {
  let r = await upload(shopper, png(10, 10));
  assert.equal(r.status, 403, r.text);
  r = await upload(new Client('anon'), png(10, 10));
  assert.equal(r.status, 401, r.text);
  const saved = staff.csrf;
  staff.csrf = 'x'.repeat(43);
  try {
    r = await upload(staff, png(10, 10));
    assert.equal(r.status, 403, r.text);
  } finally {
    staff.csrf = saved;
  }
});

test('an upload over the limit is refused by nginx with JSON 413', async () => {
  const r = await upload(staff, Buffer.alloc(11 * 1024 * 1024, 1));
  assert.equal(r.status, 413, r.text);
  assert.equal(r.json?.error?.code, 'payload_too_large');
});
