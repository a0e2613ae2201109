// Focus: the export download is named after the export's date.
import { describe, expect, it } from 'vitest';
import { exportFileName } from './privacy.js';

describe('exportFileName', () => {
  it('carries the UTC day of the export', () => {
    expect(exportFileName({ exported_at: '2026-11-26T02:00:00.123Z' })).toBe('jishi-my-data-2026-11-26.json');
  });
  it('falls back to the API\'s own name without a date', () => {
    expect(exportFileName({})).toBe('jishi-my-data.json');
    expect(exportFileName(null)).toBe('jishi-my-data.json');
  });
});
