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
    // One slow ack (the coordinator finishing a round before answering) is not a slow link.
    c.record(80, 400_000, 400_000, 100);
    expect(c.encoding).toBe('none');
    // The link slows to 15 ms a result: 15% of compute → fp16 once every recent upload is slow.
    for (let i = 0; i < 5; i++) c.record(15, 400_000, 400_000, 100);
    expect(c.encoding).toBe('fp16');
    // Slower still: 25 ms at fp16 is 50 ms as float32, 50% → int8.
    for (let i = 0; i < 5; i++) c.record(25, 200_000, 400_000, 100);
    expect(c.encoding).toBe('int8');
    // A quarter of the bytes in 3.75 ms: 15% as float32, not 30% under int8's threshold (14%).
    for (let i = 0; i < 20; i++) c.record(3.75, 100_000, 400_000, 100);
    expect(c.encoding).toBe('int8');
    for (let i = 0; i < 5; i++) c.record(3, 100_000, 400_000, 100);
    expect(c.encoding).toBe('fp16'); // 12%: under 14%, above 7%
    for (let i = 0; i < 5; i++) c.record(0.5, 200_000, 400_000, 100);
    expect(c.encoding).toBe('none'); // 1%
    expect(c.uploadShare).toBeCloseTo(0.01, 5);
  });
});
