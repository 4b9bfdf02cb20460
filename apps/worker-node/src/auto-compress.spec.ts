import { describe, expect, it } from 'vitest';
import { CompressionChoice, parseCompressMode } from './auto-compress.ts';

describe('--compress', () => {
  it('parses the four modes and refuses anything else with a clear message', () => {
    for (const m of ['none', 'fp16', 'int8', 'auto']) expect(parseCompressMode(m)).toBe(m);
    expect(() => parseCompressMode('int4')).toThrow(/--compress must be none, fp16, int8 or auto, not "int4"/);
  });

  it('fixed modes never change', () => {
    const c = new CompressionChoice('fp16');
    for (let i = 0; i < 10; i++) c.record(1000, 100, 200, 1);
    expect(c.encoding).toBe('fp16');
  });

  it('auto: stays exact on a fast link, compresses on a slow one, and comes back with hysteresis', () => {
    const c = new CompressionChoice('auto');
    // 2 ms upload of 400 kB for 100 ms compute: 2% — the link is no bottleneck.
    for (let i = 0; i < 10; i++) c.record(2, 400_000, 400_000, 100);
    expect(c.encoding).toBe('none');
    // The link slows to 50 ms a result: 50% of compute. The average passes 10% at the first slow
    // result (fp16 at once), then 20%, and int8 follows once 3 results have come in at fp16.
    c.record(50, 400_000, 400_000, 100);
    expect(c.encoding).toBe('fp16');
    for (let i = 0; i < 3; i++) c.record(25, 200_000, 400_000, 100);
    expect(c.encoding).toBe('int8');
    // Now sending a quarter of the bytes; a float32-equivalent share of 15% would pick fp16.
    for (let i = 0; i < 20; i++) c.record(3.75, 100_000, 400_000, 100);
    expect(c.encoding).toBe('int8'); // 15% is not 30% under the int8 threshold (14%)
    for (let i = 0; i < 20; i++) c.record(3, 100_000, 400_000, 100);
    expect(c.encoding).toBe('fp16'); // 12%: under 14%, above 7%
    for (let i = 0; i < 20; i++) c.record(0.5, 200_000, 400_000, 100);
    expect(c.encoding).toBe('none'); // 1%
    expect(c.uploadShare).toBeLessThan(0.07);
  });
});
