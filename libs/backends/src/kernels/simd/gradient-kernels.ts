import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** channel_op's op codes. */
export const CHANNEL_OPS = { add: 0, sub: 1, reverseSub: 2, mul: 3 } as const;

/** The `act` codes of matmul_bias_act and conv2d_valid, by tfjs's activation name. */
export const KERNEL_ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1 };

/** The exports of our kernel modules (simd/*.wat); every pointer is a byte offset into tfjs's wasm memory. */
export interface GradientKernels {
  conv2d_filter_grad(
    x: number, dy: number, out: number,
    n: number, h: number, w: number, ci: number, oh: number, ow: number, co: number,
    fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number,
  ): void;
  /** relu 1: x is a relu's output and the window's gradient passes only where its maximum is above zero. */
  max_pool_grad(
    x: number, dy: number, out: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number, relu: number,
  ): void;
  sum_rows(x: number, out: number, rows: number, cols: number): void;
  /** op: 0 x + v, 1 x − v, 2 v − x, 3 x · v (see CHANNEL_OPS). */
  channel_op(x: number, v: number, out: number, rows: number, cols: number, op: number): void;
  relu_grad(x: number, dy: number, out: number, n: number): void;
  channel_affine(x: number, a: number, b: number, out: number, rows: number, cols: number): void;
  conv2d_input_grad(
    dy: number, w: number, out: number,
    n: number, h: number, wIn: number, ci: number, oh: number, ow: number, co: number,
    fh: number, fw: number, padTop: number, padLeft: number,
  ): void;
  /** 2×2 stride-2 windows over a relu's output: the pool, and one byte per value naming its window's winner (4: none). */
  max_pool_2x2_argmax(x: number, out: number, idx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
  /** That pool's gradient, relu included, from the winners alone. */
  max_pool_grad_2x2_argmax(dy: number, idx: number, out: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
  max_pool(
    x: number, out: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number,
  ): void;
  /**
   * out[M, N] = act(a[M, K] · b[K, N] + bias); bias 0 = none; act 1 = relu. a is read with byte
   * strides aRow (between rows) and aCol (between columns): (4K, 4) row-major, (4, 4M) transposed.
   * Blocked in column panels of `panel` and k chunks of `chunk` (matMulBlocking). Needs N % 8 == 0.
   */
  matmul_bias_act(
    a: number, b: number, bias: number, out: number, m: number, k: number, n: number, act: number,
    aRow: number, aCol: number, chunk: number, panel: number,
  ): void;
  /** out [N, OH, OW, CO] = act(conv(x, w) + bias) with no padding; bias 0 = none; act 1 = relu. Needs CO % 8 == 0. */
  conv2d_valid(
    x: number, w: number, bias: number, out: number,
    n: number, h: number, wIn: number, ci: number, oh: number, ow: number, co: number,
    fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, act: number,
  ): void;
  /** dx [N, H, W, CI] (zeroed here) of a conv with no padding, from dy and wT [CO, FH·FW·CI]. Needs CI % 8 == 0. */
  conv2d_input_grad_scatter(
    dy: number, wT: number, dx: number,
    n: number, h: number, wIn: number, ci: number, oh: number, ow: number, co: number,
    fh: number, fw: number, sh: number, sw: number, dh: number, dw: number,
  ): void;
  /**
   * out [N, OH, OW, CO] = act(3×3 conv(x, g) + bias) by Winograd F(2×2, 3×3), from u = G·g·Gᵀ [16, CI, CO]
   * and x read as if padded by padTop, padLeft and zeros past its end; v, m, patch: scratch of 16·(TB·CI + 16),
   * 16·(TB·CO + 16) and 16·CI floats.
   * Needs CI % 4 == 0, CO % 8 == 0, TB % 4 == 0.
   */
  conv2d_winograd_3x3(
    x: number, u: number, bias: number, out: number, v: number, m: number, patch: number,
    n: number, h: number, wIn: number, ci: number, oh: number, ow: number, co: number, padTop: number, padLeft: number, tilesPerBlock: number, act: number,
  ): void;
  /** du [16, CI, CO] = that conv's transformed filter gradient (the caller takes Gᵀ·dU·G); scratch as above. */
  conv2d_winograd_3x3_filter_grad(
    x: number, dy: number, du: number, v: number, m: number, patch: number,
    n: number, h: number, wIn: number, ci: number, oh: number, ow: number, co: number, padTop: number, padLeft: number, tilesPerBlock: number,
  ): void;
}

interface Loaded {
  memory: WebAssembly.Memory;
  kernels: GradientKernels;
}

let loaded: Loaded | null = null;

/** Binds an instantiated gradient-kernels module to the memory it imported (see load-gradient-kernels.node.ts). */
export function bindGradientKernels(memory: WebAssembly.Memory, exports: GradientKernels): void {
  loaded = { memory, kernels: counted(exports) };
}

/**
 * tfjs's linear memory, which our module imports so that it works on tensors in place: exported by
 * the single-threaded build (asm.memory), created in JavaScript and kept as Module.wasmMemory by the
 * threaded one (a SharedArrayBuffer).
 */
export function memoryOf(backend: BackendWasm): WebAssembly.Memory | null {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** Whether the kernels are bound to this memory already. */
export function gradientKernelsBoundTo(memory: WebAssembly.Memory): boolean {
  return loaded?.memory === memory;
}

const calls: Record<keyof GradientKernels, number> = { conv2d_filter_grad: 0, max_pool_grad: 0, sum_rows: 0, channel_op: 0, relu_grad: 0, channel_affine: 0, conv2d_input_grad: 0, max_pool: 0, max_pool_2x2_argmax: 0, max_pool_grad_2x2_argmax: 0, matmul_bias_act: 0, conv2d_valid: 0, conv2d_input_grad_scatter: 0, conv2d_winograd_3x3: 0, conv2d_winograd_3x3_filter_grad: 0 };

/** How often each kernel ran in this process: lets tests and benches see which path was taken. */
export function gradientKernelCalls(): Readonly<Record<keyof GradientKernels, number>> {
  return { ...calls };
}

/** The module's exports behind a call counter (one increment per call of a millisecond-scale kernel). */
function counted(exports: GradientKernels): GradientKernels {
  const names = Object.keys(calls) as Array<keyof GradientKernels>;
  return Object.fromEntries(names.map((name) => [name, (...args: number[]) => {
    calls[name]++;
    (exports[name] as (...a: number[]) => void)(...args);
  }])) as unknown as GradientKernels;
}

/** The kernels, when loaded on this backend's memory; null otherwise (use another path). */
export function gradientKernelsFor(backend: BackendWasm): GradientKernels | null {
  if (loaded == null) return null;
  return memoryOf(backend) === loaded.memory ? loaded.kernels : null;
}

/** Byte offset of a tensor's data in the wasm memory. */
export function heapOffset(backend: BackendWasm, t: { dataId: object }): number {
  const info = backend.dataIdMap.get(t.dataId as never) as { memoryOffset: number } | undefined;
  if (info == null) throw new Error('shardgrad: tensor is not on the wasm backend');
  return info.memoryOffset;
}
