import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { i18n, initialLocale, setLocale } from './i18n/index.js';
import { startSession } from './shared/session.js';
import './shared/base.css';
import './shared/shop.css';

// Get the session (and its CSRF token) early, without holding up the page.
startSession();

const app = createApp(App).use(i18n).use(router);
setLocale(initialLocale()).finally(() => app.mount('#app'));
