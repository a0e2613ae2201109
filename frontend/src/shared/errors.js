// Turn an ApiError into user text: errors.<code> when translated, else the
// generic message. Components pass their t/te from useI18n().
export function errorText(t, te, err) {
  const key = err && err.code ? `errors.${err.code}` : 'errors.unknown';
  return te(key) ? t(key) : t('errors.unknown');
}

/**
 * A word of the API (a status, a payment method, an actor) as the message
 * `${prefix}.${word}` when there is one, else the word itself ('' for none).
 */
export function wordText(t, te, prefix, word) {
  if (!word) return '';
  return te(`${prefix}.${word}`) ? t(`${prefix}.${word}`) : word;
}

/** The localised name of a category-like object ({name_zh, name_en} or {label_zh, label_en}). */
export function localName(obj, locale) {
  if (!obj) return '';
  const en = locale && locale.startsWith('en');
  return (en ? obj.name_en || obj.label_en : obj.name_zh || obj.label_zh)
    || obj.name_zh || obj.label_zh || obj.name || obj.label || obj.slug || obj.value || '';
}

/** SKU options as text: the API gives an array of values or one string. */
export function optionsText(options) {
  if (Array.isArray(options)) return options.filter(Boolean).join(' / ');
  return typeof options === 'string' ? options : '';
}
