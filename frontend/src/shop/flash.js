// Flash sales: countdowns that follow the server's clock, the percentage
// off, and which SKU's sale the product page shows. Pure functions (the
// pages pass in the client clock), unit-tested in flash.test.js.
//
// Clock: a list answer carries the server's `now`; the offset
// server − client (taken when the answer arrived) is added to the client's
// clock afterwards, so a client clock that is hours wrong still counts
// down to the right second.

/** RFC 3339 → epoch ms; NaN for anything else. */
export function parseTime(s) {
  return typeof s === 'string' && s ? Date.parse(s) : NaN;
}

/**
 * Server minus client clock in ms, from the server's `now` and the client's
 * Date.now() when the answer arrived; 0 when `now` is unusable.
 */
export function clockOffset(serverNow, clientAtFetch) {
  const s = parseTime(serverNow);
  return Number.isFinite(s) && Number.isFinite(clientAtFetch) ? s - clientAtFetch : 0;
}

/** ms from the (corrected) client clock to `target`; NaN when target is unusable. */
export function remainingMs(target, offset, clientNow) {
  return parseTime(target) - (clientNow + (offset || 0));
}

/**
 * Whole days/hours/minutes/seconds left, seconds rounded up (0.2 s left
 * still shows 00:00:01); `ended` once nothing is left.
 */
export function countdownParts(ms) {
  if (!(ms > 0)) return { ended: true, days: 0, hours: 0, minutes: 0, seconds: 0, total: 0 };
  const total = Math.ceil(ms / 1000);
  return {
    ended: false,
    days: Math.floor(total / 86400),
    hours: Math.floor((total % 86400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
    total,
  };
}

const pad = (n) => String(n).padStart(2, '0');

/** "HH:MM:SS", past a day "N天 HH:MM:SS" (zh) / "Nd HH:MM:SS" (others). */
export function formatCountdown(parts, locale = 'zh-CN') {
  const hms = `${pad(parts.hours)}:${pad(parts.minutes)}:${pad(parts.seconds)}`;
  if (!parts.days) return hms;
  const unit = String(locale).startsWith('zh') ? '天' : 'd';
  return `${parts.days}${unit} ${hms}`;
}

function unitText(n, unit, locale) {
  try {
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
  } catch {
    return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
}

/**
 * The time left as words for a screen reader, to the minute (rounded up,
 * so it changes once a minute, not every second): "2小时5分钟",
 * "1 day, 3 hours", "1 minute" for the last minute; '' once ended.
 */
export function spokenDuration(parts, locale = 'zh-CN') {
  if (parts.ended) return '';
  const mins = Math.ceil(parts.total / 60);
  const d = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  const bits = [];
  if (d) bits.push(unitText(d, 'day', locale));
  if (h) bits.push(unitText(h, 'hour', locale));
  if (m) bits.push(unitText(m, 'minute', locale));
  try {
    const zh = String(locale).startsWith('zh');
    return new Intl.ListFormat(locale, { style: zh ? 'narrow' : 'long', type: 'unit' }).format(bits);
  } catch {
    return bits.join(' ');
  }
}

/**
 * What an item's countdown shows now: a running sale counts down to its
 * end, an upcoming one to its start.
 * → { kind: 'ends' | 'starts', ended, text, spoken }
 */
export function saleCountdown(item, offset, clientNow, locale) {
  const kind = item.status === 'upcoming' ? 'starts' : 'ends';
  const parts = countdownParts(remainingMs(kind === 'starts' ? item.starts_at : item.ends_at, offset, clientNow));
  return { kind, ended: parts.ended, text: formatCountdown(parts, locale), spoken: spokenDuration(parts, locale) };
}

/**
 * Whole percent off, rounded down so it never overstates the saving:
 * the API's `discount_percent` when given, else from the two prices.
 */
export function percentOff(salePrice, regularPrice, given) {
  if (Number.isInteger(given) && given > 0) return given;
  if (!salePrice || !regularPrice || !(regularPrice.amount > 0)) return 0;
  const off = regularPrice.amount - salePrice.amount;
  return off > 0 ? Math.floor((off * 100) / regularPrice.amount) : 0;
}

/** "−25%" (a real minus sign); '' for nothing off. */
export function percentOffText(n) {
  return n > 0 ? `−${n}%` : '';
}

/**
 * The sale the product page shows, given the SKU the pickers select
 * (null while not all options are picked):
 * - the selected SKU's running sale → { sku, sale, selected: true };
 * - no SKU selected → the lowest sale price among the SKUs (ties: the one
 *   ending first) as "from …" → { sku, sale, selected: false };
 * - otherwise null (the selected SKU is not on sale).
 * Sales whose end has passed on the corrected clock are ignored.
 */
export function productSale(skus, selected, offset, clientNow) {
  const live = (s) => s && s.flash_sale && s.flash_sale.sale_price
    && !(remainingMs(s.flash_sale.ends_at, offset, clientNow) <= 0);
  if (selected) return live(selected) ? { sku: selected, sale: selected.flash_sale, selected: true } : null;
  let best = null;
  for (const s of skus || []) {
    if (!live(s)) continue;
    const a = s.flash_sale;
    const b = best && best.sale;
    if (!b || a.sale_price.amount < b.sale_price.amount
        || (a.sale_price.amount === b.sale_price.amount && parseTime(a.ends_at) < parseTime(b.ends_at))) {
      best = { sku: s, sale: a, selected: false };
    }
  }
  return best;
}

/**
 * The list's items still worth showing on the corrected clock: running
 * ones not yet ended, upcoming ones not yet started (those are due for a
 * refetch, which turns them into running ones).
 */
export function visibleSales(items, offset, clientNow) {
  return (items || []).filter((it) => {
    const target = it.status === 'upcoming' ? it.starts_at : it.ends_at;
    return remainingMs(target, offset, clientNow) > 0;
  });
}

/**
 * How long after a countdown runs out the page asks the server again. The
 * API gives times to the whole second (the sale may run on for up to a
 * second after the time it shows) and the catalog is micro-cached for a
 * second: asked at once, the answer would often still name the sale.
 */
export const REFETCH_GRACE_MS = 2000;

/**
 * Keys of the items whose countdown ran out at least `grace` ms ago
 * ("<id>:<status>"): a key not yet in `seen` calls for one refetch.
 */
export function dueKeys(items, offset, clientNow, grace = REFETCH_GRACE_MS) {
  const out = [];
  for (const it of items || []) {
    const target = it.status === 'upcoming' ? it.starts_at : it.ends_at;
    if (!(remainingMs(target, offset, clientNow) > -grace)) out.push(`${it.id}:${it.status}`);
  }
  return out;
}

/**
 * The SKU the product page starts on: the one the link names (`?sku=`,
 * from the flash-sale list) when the product has it, else an in-stock SKU
 * whose sale is running (the lowest sale price), else null (the usual
 * first SKU in stock).
 */
export function preferredSku(skus, wantedId, offset, clientNow) {
  const list = skus || [];
  const wanted = Number(wantedId);
  if (wanted) {
    const s = list.find((x) => x.id === wanted);
    if (s) return s;
  }
  const inStock = list.filter((s) => s.stock_status !== 'out_of_stock');
  const best = productSale(inStock, null, offset, clientNow);
  return best ? best.sku : null;
}
