import * as tf from '@tensorflow/tfjs';
import { KernelScope } from './kernel-scope.ts';
import { wrapKernel } from './replace-kernel.ts';
import { conv2dBackpropFilterByChunks } from './conv2d-filter-grad-chunks.webgpu.ts';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * The Conv2D filter gradient on WebGPU as one matrix product: the input's patches, as columns
 * [N·OH·OW, FH·FW·CI], transposed times dy [N·OH·OW, CO]. tfjs-backend-webgpu 4.22 gives each of the
 * FH·FW·CI·CO outputs one thread that walks all N·OH·OW positions alone: 144 threads for the curriculum
 * CNN's first layer, each summing 802,816 products at batch 1,024. On the H200 that was 364 of the
 * step's 377 ms of kernel time. The product has the same shape (few outputs, a long inner
 * dimension), and tfjs's split-K matmul spreads that inner dimension over the whole GPU.
 * The patches are FH·FW strided slices of the padded input side by side: (fh, fw, ci) order, the
 * filter's own layout.
 */
export function conv2dBackpropFilterByPatches(args: KernelArgs, backendName: string): tf.TensorInfo {
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const { batchSize: n, inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  calls.patches++;
  const scope = new KernelScope(backendName, args.backend as tf.KernelBackend);
  const padded =
    padInfo.top || padInfo.bottom || padInfo.left || padInfo.right
      ? scope.run(tf.PadV2, { x }, { paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]], constantValue: 0 })
      : x;
  const imagesPerProduct = Math.max(1, Math.floor(maxProductRows(args.backend) / (oh * ow)));
  const products: tf.TensorInfo[] = [];
  for (let b0 = 0; b0 < n; b0 += imagesPerProduct) {
    const b1 = Math.min(n, b0 + imagesPerProduct);
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const [top, left] = [i * dh, j * dw];
        taps.push(scope.run(tf.StridedSlice, { x: padded }, {
          begin: [b0, top, left, 0],
          end: [b1, top + (oh - 1) * sh + 1, left + (ow - 1) * sw + 1, ci],
          strides: [1, sh, sw, 1],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        }));
      }
    }
    const patches = taps.length === 1 ? taps[0]! : scope.run(tf.Concat, taps as unknown as tf.NamedTensorInfoMap, { axis: 3 });
    const dyPart = b0 === 0 && b1 === n ? dy : scope.run(tf.Slice, { x: dy }, { begin: [b0, 0, 0, 0], size: [b1 - b0, oh, ow, co] });
    const rows = (b1 - b0) * oh * ow;
    products.push(scope.run(
      tf.BatchMatMul,
      { a: scope.reshape(patches, [1, rows, fh * fw * ci]), b: scope.reshape(dyPart, [1, rows, co]) },
      { transposeA: true, transposeB: false },
    ));
  }
  const product = products.length === 1 ? products[0]! : scope.run(tf.AddN, products as unknown as tf.NamedTensorInfoMap);
  const out = scope.reshape(product, [fh, fw, ci, co]);
  scope.dispose(out);
  return out;
}

/**
 * How the WebGPU backend computes Conv2D filter gradients: `chunks` (partial sums over chunks of
 * positions, then a Sum: conv2d-filter-grad-chunks.webgpu.ts), `patches` (the patch product above),
 * or `tfjs` (tfjs-backend-webgpu's own kernel). On an H100 the patch product was 71% of the curriculum
 * CNN's GPU time at 4,096 samples (its split-K product adds into 144 outputs with atomics from 25,088
 * workgroups), which is why the chunks became the default.
 */
export type WebgpuFilterGradMethod = 'chunks' | 'patches' | 'tfjs';
let method: WebgpuFilterGradMethod = 'chunks';
const calls = { chunks: 0, patches: 0 };
let rowsLimitForTests: number | undefined;

/**
 * tfjs's split-K matmul, which this product gets, dispatches one workgroup per 128 rows of the inner
 * dimension along Z, and WebGPU caps each dimension (65,535 by default): the curriculum CNN's first
 * layer passed it at 16,384 images (12.8 M rows) and the step failed on an H100 ("Dispatch size
 * exceeds WebGPU limits in Y or Z dimension"). Past the cap the batch is cut into products that are summed.
 */
function maxProductRows(backend: unknown): number {
  const limits = (backend as { device?: { limits?: { maxComputeWorkgroupsPerDimension?: number } } }).device?.limits;
  return rowsLimitForTests ?? (limits?.maxComputeWorkgroupsPerDimension ?? 65_535) * SPLIT_K_ROWS_PER_WORKGROUP;
}
const SPLIT_K_ROWS_PER_WORKGROUP = 128;

/** For tests: cut the product at this many rows (undefined: the device's cap), to check the sum of parts on small shapes. */
export function limitWebgpuFilterGradRows(rows: number | undefined): void {
  rowsLimitForTests = rows;
}

/** How many filter gradients each of our methods computed (tests check theirs ran, not a fallback). */
export function webgpuFilterGradCalls(): Readonly<typeof calls> {
  return { ...calls };
}

/** For benchmarks and tests: switch methods, so that they can alternate in one process. */
export function setWebgpuFilterGradMethod(m: WebgpuFilterGradMethod): void {
  method = m;
}

/**
 * Puts our method in place of the WebGPU backend's Conv2DBackpropFilter, NHWC only (tfjs's
 * layers use nothing else); once; false where WebGPU is not loaded.
 */
export function installWebgpuConv2dBackpropFilter(): boolean {
  return wrapKernel('webgpu', tf.Conv2DBackpropFilter, (original) => (args) => {
    const { dataFormat } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW' || method === 'tfjs') return original(args);
    if (method === 'patches') return conv2dBackpropFilterByPatches(args, 'webgpu');
    calls.chunks++;
    return conv2dBackpropFilterByChunks(args, 'webgpu');
  });
}
