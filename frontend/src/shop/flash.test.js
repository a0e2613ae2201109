// Focus: flash-sale countdowns follow the server's clock (a wrong client
// clock still counts right), their text in both locales, the percentage
// off, and which SKU's sale the product page shows.
import { describe, expect, it } from 'vitest';
import {
  REFETCH_GRACE_MS, clockOffset, countdownParts, dueKeys, formatCountdown, parseTime, percentOff, percentOffText,
  preferredSku, productSale, remainingMs, saleCountdown, spokenDuration, visibleSales,
} from './flash.js';

const CNY = (amount) => ({ amount, currency: 'CNY' });
const T = (s) => Date.parse(s);
const NOW = '2026-11-26T02:40:00Z';

describe('server clock offset', () => {
  it('is server minus client at fetch time', () => {
    // The client's clock is 3 h 7 s behind.
    expect(clockOffset(NOW, T('2026-11-25T23:39:53Z'))).toBe(3 * 3600e3 + 7e3);
    expect(clockOffset(NOW, T(NOW))).toBe(0);
  });

  it('is 0 when the server time is unusable', () => {
    expect(clockOffset(undefined, 5)).toBe(0);
    expect(clockOffset('yesterday-ish', 5)).toBe(0);
    expect(Number.isNaN(parseTime(''))).toBe(true);
  });

  it('makes a wrong client clock count down to the server second', () => {
    const clientAtFetch = T('2026-11-26T10:00:00Z'); // 7 h 20 min fast
    const offset = clockOffset(NOW, clientAtFetch);
    // 90 s later on the client, 90 s later on the server: 10 min − 90 s left.
    const left = remainingMs('2026-11-26T02:50:00Z', offset, clientAtFetch + 90e3);
    expect(left).toBe(510e3);
    expect(formatCountdown(countdownParts(left))).toBe('00:08:30');
    // Without the correction the sale would look long over.
    expect(remainingMs('2026-11-26T02:50:00Z', 0, clientAtFetch + 90e3)).toBeLessThan(0);
  });
});

describe('countdown text', () => {
  it('shows HH:MM:SS under a day, seconds rounded up', () => {
    expect(formatCountdown(countdownParts(3723e3))).toBe('01:02:03');
    expect(formatCountdown(countdownParts(200))).toBe('00:00:01');
    expect(formatCountdown(countdownParts(86399e3), 'en')).toBe('23:59:59');
  });

  it('adds days past 24 h, in each locale', () => {
    const p = countdownParts((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000);
    expect(p).toMatchObject({ days: 2, hours: 3, minutes: 4, seconds: 5, ended: false });
    expect(formatCountdown(p, 'zh-CN')).toBe('2天 03:04:05');
    expect(formatCountdown(p, 'en')).toBe('2d 03:04:05');
    expect(formatCountdown(countdownParts(86400e3), 'en')).toBe('1d 00:00:00');
  });

  it('is ended at zero and below (and for a missing time)', () => {
    expect(countdownParts(0).ended).toBe(true);
    expect(countdownParts(-5000)).toMatchObject({ ended: true, seconds: 0 });
    expect(countdownParts(NaN).ended).toBe(true);
    expect(formatCountdown(countdownParts(-1))).toBe('00:00:00');
  });

  it('reads naturally for a screen reader, to the minute', () => {
    expect(spokenDuration(countdownParts(2 * 3600e3 + 5 * 60e3), 'en')).toBe('2 hours, 5 minutes');
    expect(spokenDuration(countdownParts(2 * 3600e3 + 5 * 60e3), 'zh-CN')).toBe('2小时5分钟');
    expect(spokenDuration(countdownParts(86400e3 + 3600e3), 'en')).toBe('1 day, 1 hour');
    // The last minute, and a part-minute rounded up: it changes once a minute.
    expect(spokenDuration(countdownParts(30e3), 'en')).toBe('1 minute');
    expect(spokenDuration(countdownParts(4 * 60e3 + 1e3), 'en')).toBe('5 minutes');
    expect(spokenDuration(countdownParts(4 * 60e3 + 59e3), 'en')).toBe('5 minutes');
    expect(spokenDuration(countdownParts(0), 'en')).toBe('');
  });
});

describe('saleCountdown', () => {
  const running = { id: 1, status: 'running', starts_at: '2026-11-26T02:00:00Z', ends_at: '2026-11-26T03:00:00Z' };
  const upcoming = { id: 2, status: 'upcoming', starts_at: '2026-11-27T04:40:05Z', ends_at: '2026-11-27T06:00:00Z' };

  it('counts a running sale down to its end', () => {
    expect(saleCountdown(running, 0, T(NOW), 'zh-CN')).toEqual({
      kind: 'ends', ended: false, text: '00:20:00', spoken: '20分钟',
    });
  });

  it('counts an upcoming sale down to its start', () => {
    expect(saleCountdown(upcoming, 0, T(NOW), 'en')).toEqual({
      kind: 'starts', ended: false, text: '1d 02:00:05', spoken: '1 day, 2 hours, 1 minute',
    });
  });

  it('says ended once the corrected clock passes the time', () => {
    expect(saleCountdown(running, 60e3, T('2026-11-26T02:59:00Z'), 'en').ended).toBe(true);
    expect(saleCountdown(running, 0, T('2026-11-26T02:59:00Z'), 'en').ended).toBe(false);
  });

  it('keeps what is still counting and names what ran out once', () => {
    const items = [running, upcoming];
    expect(visibleSales(items, 0, T(NOW)).map((i) => i.id)).toEqual([1, 2]);
    expect(dueKeys(items, 0, T(NOW))).toEqual([]);
    const later = T('2026-11-26T03:00:00Z');
    // Hidden at once, asked for again once the grace has passed.
    expect(visibleSales(items, 0, later).map((i) => i.id)).toEqual([2]);
    expect(dueKeys(items, 0, later)).toEqual([]);
    expect(dueKeys(items, 0, later + REFETCH_GRACE_MS - 1)).toEqual([]);
    expect(dueKeys(items, 0, later + REFETCH_GRACE_MS)).toEqual(['1:running']);
    expect(dueKeys(items, 0, later, 0)).toEqual(['1:running']);
    expect(dueKeys(items, 0, T('2026-11-27T04:40:07Z'))).toEqual(['1:running', '2:upcoming']);
  });
});

describe('percent off', () => {
  it('takes the API figure when given', () => {
    expect(percentOff(CNY(7425), CNY(9900), 25)).toBe(25);
  });

  it('rounds down from the prices so it never overstates', () => {
    expect(percentOff(CNY(7425), CNY(9900))).toBe(25);
    expect(percentOff(CNY(6999), CNY(9999))).toBe(30); // 30.003 %
    expect(percentOff(CNY(6667), CNY(10000))).toBe(33); // 33.33 %
    expect(percentOff(CNY(9999), CNY(10000))).toBe(0);  // 0.01 % shows nothing
    expect(percentOff(CNY(100), CNY(0))).toBe(0);
    expect(percentOff(null, CNY(100))).toBe(0);
  });

  it('shows a minus sign, or nothing', () => {
    expect(percentOffText(25)).toBe('−25%');
    expect(percentOffText(0)).toBe('');
  });
});

describe('productSale', () => {
  const fs = (id, amount, ends) => ({ id, sale_price: CNY(amount), ends_at: ends });
  const skus = [
    { id: 1, price: CNY(9900), flash_sale: null },
    { id: 2, price: CNY(9900), flash_sale: fs(7, 7900, '2026-11-26T04:00:00Z') },
    { id: 3, price: CNY(12900), flash_sale: fs(8, 6900, '2026-11-26T05:00:00Z') },
    { id: 4, price: CNY(12900), flash_sale: fs(9, 6900, '2026-11-26T03:00:00Z') },
  ];
  const now = T(NOW);

  it('shows the selected SKU’s own sale', () => {
    expect(productSale(skus, skus[1], 0, now)).toEqual({ sku: skus[1], sale: skus[1].flash_sale, selected: true });
  });

  it('shows nothing when the selected SKU is not on sale', () => {
    expect(productSale(skus, skus[0], 0, now)).toBeNull();
  });

  it('before a pick, offers the lowest sale price, the sooner ending on a tie', () => {
    expect(productSale(skus, null, 0, now)).toMatchObject({ sku: { id: 4 }, selected: false });
    expect(productSale(skus.slice(0, 2), null, 0, now)).toMatchObject({ sku: { id: 2 } });
    expect(productSale([skus[0]], null, 0, now)).toBeNull();
  });

  it('ignores a sale whose end has passed on the corrected clock', () => {
    const at = T('2026-11-26T03:30:00Z');
    expect(productSale(skus, skus[3], 0, at)).toBeNull();
    expect(productSale(skus, null, 0, at)).toMatchObject({ sku: { id: 3 } });
    // The same instant with a client clock an hour slow, corrected.
    expect(productSale(skus, skus[3], 3600e3, T('2026-11-26T02:30:00Z'))).toBeNull();
  });
});

describe('preferredSku', () => {
  const fs = (amount) => ({ id: 1, sale_price: CNY(amount), ends_at: '2026-11-26T04:00:00Z' });
  const skus = [
    { id: 1, stock_status: 'in_stock', flash_sale: null },
    { id: 2, stock_status: 'out_of_stock', flash_sale: fs(100) },
    { id: 3, stock_status: 'low_stock', flash_sale: fs(500) },
  ];
  const now = T(NOW);

  it('starts on the SKU the link names', () => {
    expect(preferredSku(skus, '1', 0, now).id).toBe(1);
    expect(preferredSku(skus, 2, 0, now).id).toBe(2);
  });

  it('else on an in-stock SKU on sale, else none', () => {
    expect(preferredSku(skus, '999', 0, now).id).toBe(3);
    expect(preferredSku(skus, undefined, 0, now).id).toBe(3);
    expect(preferredSku(skus.slice(0, 2), null, 0, now)).toBeNull();
    expect(preferredSku(skus, null, 0, T('2026-11-26T05:00:00Z'))).toBeNull();
  });
});
