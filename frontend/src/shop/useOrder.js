// One order read from the API for a page: `path()` is where (the shopper's
// /orders/:id or the shop's /merchant/orders/:id); read again whenever the
// route's id changes.  `act(name, fn)` runs one of the page's actions:
// `busy` names it meanwhile, the order it answers (when it answers one)
// replaces the page's, a failure is kept in `actionError`.
// { order, loading, error, load, busy, actionError, act }.
import { ref, watch } from 'vue';
import { useRoute } from 'vue-router';
import { api } from '../shared/api.js';

export function useOrder(path, { afterLoad = () => {} } = {}) {
  const route = useRoute();
  const order = ref(null);
  const loading = ref(false);
  const error = ref(null);
  const busy = ref('');
  const actionError = ref(null);

  async function load() {
    loading.value = true;
    error.value = null;
    try {
      order.value = await api.get(path());
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
    afterLoad(order.value);
  }
  watch(() => route.params.id, (id) => {
    if (id) {
      order.value = null;
      load();
    }
  }, { immediate: true });

  async function act(name, fn) {
    busy.value = name;
    actionError.value = null;
    try {
      const o = await fn();
      if (o && o.id) order.value = o;
    } catch (err) {
      actionError.value = err;
    } finally {
      busy.value = '';
    }
  }
  return { order, loading, error, load, busy, actionError, act };
}
