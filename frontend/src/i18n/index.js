// i18n set-up: zh-CN is the default and ships in the initial bundle; other
// locales are separate chunks loaded on first use. The user's choice is
// remembered in localStorage and mirrored on <html lang>.
import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN.json';

export const DEFAULT_LOCALE = 'zh-CN';
const STORAGE_KEY = 'jishi.locale';

// Each language is named in itself (an endonym), so this list is not
// translated: a reader finds their own language whatever the UI shows.
export const LOCALES = [
  { code: 'zh-CN', name: '简体中文' },
  { code: 'en', name: 'English' },
];

const loaders = {
  en: () => import('./en.json'),
};

export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { [DEFAULT_LOCALE]: zhCN },
});

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}

/** The locale to start with: the saved choice if supported, else zh-CN. */
export function initialLocale() {
  const saved = storage()?.getItem(STORAGE_KEY);
  return LOCALES.some((l) => l.code === saved) ? saved : DEFAULT_LOCALE;
}

/** Switch the UI language, loading its messages first if needed. */
export async function setLocale(code) {
  if (!LOCALES.some((l) => l.code === code)) code = DEFAULT_LOCALE;
  const g = i18n.global;
  if (!g.availableLocales.includes(code) && loaders[code]) {
    const mod = await loaders[code]();
    g.setLocaleMessage(code, mod.default);
  }
  g.locale.value = code;
  document.documentElement.lang = code;
  storage()?.setItem(STORAGE_KEY, code);
}
