// Routes for the three areas. Each area is its own lazy chunk, so a shopper
// never downloads the merchant dashboard or the admin console.
import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n/index.js';

export const routes = [
  {
    path: '/',
    name: 'shop-home',
    component: () => import('./shop/ShopHome.vue'),
    meta: { area: 'shop', titleKey: 'shop.title' },
  },
  {
    path: '/merchant',
    name: 'merchant-home',
    component: () => import('./merchant/MerchantHome.vue'),
    meta: { area: 'merchant', titleKey: 'merchant.title' },
  },
  {
    path: '/admin',
    name: 'admin-home',
    component: () => import('./admin/AdminHome.vue'),
    meta: { area: 'admin', titleKey: 'admin.title' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./shared/NotFound.vue'),
    meta: { area: 'shop', titleKey: 'notFound.title' },
  },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
});

export function pageTitle(route) {
  const t = i18n.global.t;
  const key = route.meta && route.meta.titleKey;
  return key ? `${t(key)} · ${t('app.name')}` : t('app.name');
}

router.afterEach((to) => {
  document.title = pageTitle(to);
});
