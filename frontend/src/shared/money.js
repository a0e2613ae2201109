// Money from the API is {amount, currency} in minor units (fen for CNY).
// Formatting goes through Intl so each locale gets its own symbol and
// separators; the number of minor digits comes from the currency itself.

const digitsCache = new Map();

/** Minor-unit digits of an ISO 4217 currency (CNY → 2, JPY → 0). */
export function minorDigits(currency) {
  if (!digitsCache.has(currency)) {
    let d;
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency })
        .resolvedOptions().maximumFractionDigits;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return digitsCache.get(currency);
}

/** Format a money object for `locale`; '' for a missing one. */
export function formatMoney(money, locale = 'zh-CN') {
  if (!money || typeof money.amount !== 'number') return '';
  const currency = money.currency || 'CNY';
  const digits = minorDigits(currency);
  const value = money.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A price range "¥10.00 – ¥20.00", or one price when both ends agree. */
export function formatPriceRange(min, max, locale) {
  const a = formatMoney(min, locale);
  if (!max || !min || max.amount === min.amount) return a;
  return `${a} – ${formatMoney(max, locale)}`;
}
