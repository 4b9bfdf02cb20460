/**
 * Error feedback for compressed gradients (EF-SGD, Seide et al. 2014; Karimireddy et al. 2019):
 * what one round's compression dropped, g − decode(encode(g)), is added to the next round's
 * gradient before it is compressed. The error is then delayed by one round instead of lost, so the
 * sum of what the coordinator receives tracks the sum of the true gradients to within a single
 * round's quantisation error, however many rounds pass.
 *
 * The coordinator weighs a result by its sample count, and a worker's share changes from round to
 * round, so the residual is kept as count × error (the mass the aggregate missed) and divided by the
 * next shard's count when it is paid back.
 */
import { compressTensor, type CompressedTensor, type WireEncoding } from './compressed-tensor.ts';
import type { TensorData } from './tensor-codec.ts';

export class ErrorFeedback {
  private residuals: (Float32Array | undefined)[] = [];
  private key: string | undefined;

  /** Forgets the residual: a new run or a new model owes nothing to the old one. */
  reset(): void {
    this.residuals = [];
    this.key = undefined;
  }

  /** The residual of tensor `i` (count-weighted), for tests and diagnostics. */
  residual(i: number): Float32Array | undefined {
    return this.residuals[i];
  }

  /**
   * The tensors to send for a shard of `count` samples: float32 ones compressed with `encoding`
   * after adding the residual, others raw. `key` names the run and model; a new key resets.
   * With 'none' the residual is paid back in full (float32 is exact), so switching off leaves no debt.
   */
  compress(key: string, grads: readonly TensorData[], encoding: WireEncoding, count: number): (TensorData | CompressedTensor)[] {
    if (key !== this.key || grads.length !== this.residuals.length) {
      this.residuals = grads.map(() => undefined);
      this.key = key;
    }
    return grads.map((g, i) => {
      if (g.dtype !== 'float32') return g;
      const data = g.data as Float32Array;
      let r = this.residuals[i];
      if (r && r.length !== data.length) r = undefined;
      if (encoding === 'none' && !r) return g;
      const corrected = new Float32Array(data.length);
      if (r) for (let j = 0; j < data.length; j++) corrected[j] = data[j]! + r[j]! / count;
      else corrected.set(data);
      if (encoding === 'none') {
        this.residuals[i] = undefined;
        return { shape: g.shape, dtype: 'float32', data: corrected };
      }
      const decoded = new Float32Array(data.length);
      const out = compressTensor(g.shape, corrected, encoding, decoded);
      // The residual reuses `corrected`'s memory: count × (what was meant − what will arrive). A
      // non-finite gradient gets its result refused; it must not poison every later round too.
      for (let j = 0; j < data.length; j++) {
        const e = count * (corrected[j]! - decoded[j]!);
        corrected[j] = Number.isFinite(e) ? e : 0;
      }
      this.residuals[i] = corrected;
      return out;
    });
  }
}
