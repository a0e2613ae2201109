// Address book forms: the API's Address ↔ form fields, the body of a
// create (trimmed, empty fields left out) and of an edit (only what
// changed), one-line display. Pure; unit-tested.

export const ADDRESS_FIELDS = ['recipient', 'phone', 'country', 'region', 'city', 'district', 'line1', 'line2', 'postal_code'];
export const REQUIRED_FIELDS = ['recipient', 'phone', 'country', 'city', 'line1'];
export const AUTOCOMPLETE = {
  recipient: 'name', phone: 'tel', country: 'country', region: 'address-level1', city: 'address-level2',
  district: 'address-level3', line1: 'address-line1', line2: 'address-line2', postal_code: 'postal-code',
};

/** Form state for an address (or a blank one, country CN). */
export function addressForm(address = null) {
  const f = Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, (address && address[k]) || '']));
  if (!address) f.country = 'CN';
  f.is_default = !!(address && address.is_default);
  return f;
}

function clean(k, v) {
  const s = String(v ?? '').trim();
  return k === 'country' ? s.toUpperCase() : s;
}

/** POST /me/addresses body: trimmed, empty optional fields left out. */
export function createBody(form) {
  const body = {};
  for (const k of ADDRESS_FIELDS) {
    const v = clean(k, form[k]);
    if (v !== '') body[k] = v;
  }
  if (form.is_default) body.is_default = true;
  return body;
}

/**
 * PATCH /me/addresses/{id} body: only the fields that differ from
 * `original` (a cleared optional field is sent as ''). Empty when nothing
 * changed.
 */
export function patchBody(original, form) {
  const body = {};
  for (const k of ADDRESS_FIELDS) {
    const v = clean(k, form[k]);
    if (v !== clean(k, original[k])) body[k] = v;
  }
  if (!!form.is_default !== !!original.is_default) body.is_default = !!form.is_default;
  return body;
}

/** Missing required fields of a form, in form order. */
export function missingFields(form) {
  return REQUIRED_FIELDS.filter((k) => clean(k, form[k]) === '');
}

/** "张三 · 138… · 上海 · 上海市 · 浦东新区 · 世纪大道 100 号" */
export function addressLine(a) {
  if (!a) return '';
  return [a.recipient, a.phone, a.region, a.city, a.district, a.line1, a.line2].filter(Boolean).join(' · ');
}

/** The list with the default first, as the API orders it, after a local change. */
export function sortAddresses(list) {
  return [...list].sort((a, b) => (b.is_default ? 1 : 0) - (a.is_default ? 1 : 0) || a.id - b.id);
}
