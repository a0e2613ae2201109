// Personal data export: the file name of the download. Pure; unit-tested.

/** jishi-my-data-<YYYY-MM-DD>.json from the export's `exported_at` (UTC). */
export function exportFileName(data) {
  const at = data && typeof data.exported_at === 'string' ? data.exported_at : '';
  const day = /^\d{4}-\d{2}-\d{2}/.exec(at);
  return `jishi-my-data${day ? `-${day[0]}` : ''}.json`;
}
