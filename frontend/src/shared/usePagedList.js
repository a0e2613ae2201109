// A list page filtered by status and paged, both in the URL (?status=,
// ?page=): the shop's orders, the platform's merchants.  `path` is the
// page's and, under /api/v1, the API's (/merchant/orders, /admin/merchants);
// `filters` are the statuses offered ('' = all).  { list, loading, error,
// load, status, page, pages, to(status, page) }.
import { computed, ref, watch } from 'vue';
import { useRoute } from 'vue-router';
import { api } from './api.js';

export function usePagedList(path, filters, perPage) {
  const route = useRoute();
  const list = ref(null);
  const loading = ref(false);
  const error = ref(null);
  const status = computed(() => (filters.includes(route.query.status) ? route.query.status : ''));
  const page = computed(() => Math.max(1, Number.parseInt(route.query.page, 10) || 1));
  const pages = computed(() => (list.value ? Math.max(1, Math.ceil(list.value.total / perPage)) : 1));

  async function load() {
    loading.value = true;
    error.value = null;
    try {
      const query = { page: page.value, per_page: perPage };
      if (status.value) query.status = status.value;
      list.value = await api.get(path, { query });
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }
  watch([status, page], load, { immediate: true });

  const to = (s, p = 1) => ({
    path,
    query: { ...(s ? { status: s } : {}), ...(p > 1 ? { page: p } : {}) },
  });
  return { list, loading, error, load, status, page, pages, to };
}
