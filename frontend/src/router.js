// Routes for the three areas. Each area is its own lazy chunk, so a shopper
// never downloads the merchant dashboard or the admin console.
import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n/index.js';
import { api } from './shared/api.js';
import { guardRoute } from './shared/guard.js';

export const routes = [
  {
    path: '/',
    name: 'shop-home',
    component: () => import('./shop/ShopHome.vue'),
    meta: { area: 'shop', titleKey: 'shop.title' },
  },
  {
    path: '/search',
    name: 'search',
    component: () => import('./shop/SearchPage.vue'),
    meta: { area: 'shop', titleKey: 'search.title' },
  },
  {
    path: '/p/:slug',
    name: 'product',
    component: () => import('./shop/ProductPage.vue'),
    meta: { area: 'shop', titleKey: 'product.title' },
  },
  {
    path: '/cart',
    name: 'cart',
    component: () => import('./shop/CartPage.vue'),
    meta: { area: 'shop', titleKey: 'cart.title' },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('./shop/LoginPage.vue'),
    meta: { area: 'shop', titleKey: 'auth.loginTitle' },
  },
  {
    path: '/checkout',
    name: 'checkout',
    component: () => import('./shop/CheckoutPage.vue'),
    meta: { area: 'shop', titleKey: 'checkout.title', signedIn: true },
  },
  {
    path: '/orders',
    name: 'orders',
    component: () => import('./shop/OrdersPage.vue'),
    meta: { area: 'shop', titleKey: 'orders.title', signedIn: true },
  },
  {
    path: '/orders/:id(\\d+)',
    name: 'order',
    component: () => import('./shop/OrderPage.vue'),
    meta: { area: 'shop', titleKey: 'orders.title', signedIn: true },
  },
  // The account area: each page its own lazy chunk.
  {
    path: '/account',
    name: 'account',
    component: () => import('./shop/account/AccountHome.vue'),
    meta: { area: 'shop', titleKey: 'account.title', signedIn: true },
  },
  {
    path: '/account/addresses',
    name: 'account-addresses',
    component: () => import('./shop/account/AddressesPage.vue'),
    meta: { area: 'shop', titleKey: 'account.addresses', signedIn: true },
  },
  {
    path: '/account/password',
    name: 'account-password',
    component: () => import('./shop/account/PasswordPage.vue'),
    meta: { area: 'shop', titleKey: 'account.password', signedIn: true },
  },
  {
    path: '/account/privacy',
    name: 'account-privacy',
    component: () => import('./shop/account/PrivacyPage.vue'),
    meta: { area: 'shop', titleKey: 'account.privacy', signedIn: true },
  },
  {
    // The link the back end mails (account.c): /account/reset?token=…
    path: '/account/reset',
    name: 'account-reset',
    component: () => import('./shop/account/ResetPage.vue'),
    meta: { area: 'shop', titleKey: 'account.resetTitle' },
  },
  { path: '/account/orders', redirect: '/orders' },
  { path: '/account/orders/:id(\\d+)', redirect: (to) => `/orders/${to.params.id}` },
  {
    path: '/merchant',
    name: 'merchant-home',
    component: () => import('./merchant/MerchantHome.vue'),
    meta: { area: 'merchant', titleKey: 'merchant.title' },
  },
  {
    path: '/merchant/orders',
    name: 'merchant-orders',
    component: () => import('./merchant/MerchantOrders.vue'),
    meta: { area: 'merchant', titleKey: 'merchant.orders.title', signedIn: true },
  },
  {
    path: '/merchant/orders/:id(\\d+)',
    name: 'merchant-order',
    component: () => import('./merchant/MerchantOrder.vue'),
    meta: { area: 'merchant', titleKey: 'merchant.orders.title', signedIn: true },
  },
  {
    path: '/admin',
    name: 'admin-home',
    component: () => import('./admin/AdminHome.vue'),
    meta: { area: 'admin', titleKey: 'admin.title' },
  },
  {
    path: '/admin/merchants',
    name: 'admin-merchants',
    component: () => import('./admin/AdminMerchants.vue'),
    meta: { area: 'admin', titleKey: 'admin.merchants.title', signedIn: true },
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

// Pages for signed-in shoppers send guests to /login and back afterwards.
// When the session cannot be read at all (network error, 503 while the
// database is down) the page opens anyway and shows that error with a
// retry: a signed-in shopper is not sent to sign in again by an outage.
router.beforeEach(async (to) => {
  if (!to.meta.signedIn) return true;
  try {
    return guardRoute(to, { me: await api.session() });
  } catch (error) {
    return guardRoute(to, { error });
  }
});

router.afterEach((to) => {
  document.title = pageTitle(to);
});
