import { describe, expect, it } from 'vitest';
import { projectorMetadataTsv, projectorVectorsTsv } from './projector-tsv.ts';

describe('projector TSV files', () => {
  it('writes one tab-separated vector per line and one label per line, no header', () => {
    const v = projectorVectorsTsv(new Float32Array([0.5, -1.25, 2, 3]), 2);
    expect(v).toBe('0.5\t-1.25\n2\t3\n');
    expect(projectorMetadataTsv(['7', '2'])).toBe('7\n2\n');
  });

  it('refuses ragged rows, non-finite values and labels that would break the format', () => {
    expect(() => projectorVectorsTsv([1, 2, 3], 2)).toThrow(/rows of 2/);
    expect(() => projectorVectorsTsv([1, NaN], 2)).toThrow(/non-finite/);
    expect(() => projectorMetadataTsv(['a\tb'])).toThrow(/tab or newline/);
  });
});
