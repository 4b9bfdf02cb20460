import { describe, expect, it } from 'vitest';
import { refusals } from './workers-table.ts';

describe('the workers table shows refusals by reason', () => {
  it('lists strikes, reasons (most frequent first) and a spot-check flag', () => {
    expect(refusals({ errors: 0 })).toBe('0');
    expect(refusals({ errors: 3, rejects: { duplicate: 1, 'not-finite': 3 } })).toBe('3 — not-finite ×3, duplicate ×1');
    expect(refusals({ errors: 1, rejects: { 'spot-check-mismatch': 1 }, flagged: true })).toBe('1 — spot-check-mismatch ×1 (flagged by a spot check)');
  });
});
