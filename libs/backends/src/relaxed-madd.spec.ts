import { describe, expect, it } from 'vitest';
import { withoutRelaxedMadd } from './relaxed-madd.ts';

describe('withoutRelaxedMadd', () => {
  it('rewrites a fused multiply-add as a multiply and an add, operands kept whole', () => {
    expect(withoutRelaxedMadd('(local.set $c (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $p)) (local.get $c)))'))
      .toBe('(local.set $c (f32x4.add (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $p))) (local.get $c)))');
  });

  it('rewrites nested ones, across lines, and leaves the rest of the text alone', () => {
    const text = ';; a comment\n(f32x4.relaxed_madd\n  (local.get $a)\n  (local.get $b)\n  (f32x4.relaxed_madd (local.get $c) (local.get $d) (local.get $e)))\n(drop)';
    expect(withoutRelaxedMadd(text)).toBe(
      ';; a comment\n(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (f32x4.add (f32x4.mul (local.get $c) (local.get $d)) (local.get $e)))\n(drop)',
    );
    expect(withoutRelaxedMadd('(f32x4.add (local.get $a) (local.get $b))')).toBe('(f32x4.add (local.get $a) (local.get $b))');
  });

  it('refuses what it cannot rewrite faithfully: wrong operand counts, flat operands, unbalanced text', () => {
    expect(() => withoutRelaxedMadd('(f32x4.relaxed_madd (local.get $a) (local.get $b))')).toThrow(/2 operands, expected 3/);
    expect(() => withoutRelaxedMadd('(f32x4.relaxed_madd local.get 0)')).toThrow(/expected folded operands/);
    expect(() => withoutRelaxedMadd('(f32x4.relaxed_madd (local.get $a) (local.get $b')).toThrow(/unbalanced/);
  });
});
