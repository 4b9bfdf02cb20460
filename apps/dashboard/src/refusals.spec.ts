import { describe, expect, it } from 'vitest';
import { refusals } from './workers-table.ts';

describe('the workers table counts a worker’s own errors, in words', () => {
  it('shows the strikes with their reasons, most frequent first, and a spot-check flag', () => {
    expect(refusals({ errors: 0 }).text).toBe('0');
    expect(refusals({ errors: 3, rejects: { duplicate: 1, 'not-finite': 3 } }).text).toBe('3: NaN or infinite values ×3');
    expect(refusals({ errors: 1, rejects: { 'spot-check-mismatch': 1 }, flagged: true }).text).toBe('1: failed a spot check ×1 (flagged by a spot check)');
  });

  it('does not count results the coordinator itself made unneeded (a batch change, late copies) as errors', () => {
    const cell = refusals({ errors: 0, rejects: { 'stale-round': 1, duplicate: 2 } });
    expect(cell.text).toBe('0');
    expect(cell.title).toMatch(/^no errors\nnot errors: 2 results were late copies.*; 1 result arrived after their round had ended/);
  });
});
