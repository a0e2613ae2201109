import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { i18n, initialLocale, setLocale } from './i18n/index.js';
import './shared/base.css';

const app = createApp(App).use(i18n).use(router);
setLocale(initialLocale()).finally(() => app.mount('#app'));
