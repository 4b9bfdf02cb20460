import * as tf from '@tensorflow/tfjs';

type Attrs = tf.NamedAttrMap;
type Inputs = tf.NamedTensorInfoMap;

/**
 * Runs kernels that a backend already has, directly on that backend, so our composite kernels
 * never touch the engine (no tape entries, no tracked tensors) and never fall back to cpu.
 * Every intermediate is recorded and released by `dispose`, except what the caller keeps.
 */
export class KernelScope {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(
    readonly backendName: string,
    readonly backend: tf.KernelBackend,
  ) {}

  run(kernelName: string, inputs: Inputs, attrs: Attrs = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config == null) {
      throw new Error(`shardgrad: the ${this.backendName} backend has no '${kernelName}' kernel to build on`);
    }
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs }) as tf.TensorInfo;
    this.intermediates.push(out);
    return out;
  }

  /** Releases `t` with the intermediates: a result of a kernel run outside `run`. */
  track(t: tf.TensorInfo): void {
    this.intermediates.push(t);
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  /** Runs `body`, then releases its intermediates: all but its result, or all of them when it throws. */
  keepOnly(body: () => tf.TensorInfo): tf.TensorInfo {
    let out: tf.TensorInfo | undefined;
    try {
      out = body();
      return out;
    } finally {
      this.dispose(out);
    }
  }

  /** Releases every intermediate except `keep` (reshapes share buffers, so refcounts do the rest). */
  dispose(keep?: tf.TensorInfo): void {
    for (const t of this.intermediates) {
      if (t !== keep) this.backend.disposeData(t.dataId);
    }
    this.intermediates.length = 0;
  }
}
