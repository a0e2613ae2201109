// A clock for countdowns: `now` (Date.now()) refreshed every `ms` while
// started; the interval is cleared when the component unmounts.
import { onBeforeUnmount, ref } from 'vue';

export function useTicker(ms = 1000) {
  const now = ref(Date.now());
  let timer = null;
  function start() {
    now.value = Date.now();
    if (!timer) timer = setInterval(() => { now.value = Date.now(); }, ms);
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }
  onBeforeUnmount(stop);
  return { now, start, stop };
}
