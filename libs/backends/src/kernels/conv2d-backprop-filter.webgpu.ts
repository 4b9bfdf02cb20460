import * as tf from '@tensorflow/tfjs';
import { KernelScope } from './kernel-scope.ts';
import { wrapKernel } from './replace-kernel.ts';

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
  calls++;
  const scope = new KernelScope(backendName, args.backend as tf.KernelBackend);
  const padded =
    padInfo.top || padInfo.bottom || padInfo.left || padInfo.right
      ? scope.run(tf.PadV2, { x }, { paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]], constantValue: 0 })
      : x;
  const taps: tf.TensorInfo[] = [];
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const [top, left] = [i * dh, j * dw];
      taps.push(scope.run(tf.StridedSlice, { x: padded }, {
        begin: [0, top, left, 0],
        end: [n, top + (oh - 1) * sh + 1, left + (ow - 1) * sw + 1, ci],
        strides: [1, sh, sw, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      }));
    }
  }
  const patches = taps.length === 1 ? taps[0]! : scope.run(tf.Concat, taps as unknown as tf.NamedTensorInfoMap, { axis: 3 });
  const product = scope.run(
    tf.BatchMatMul,
    { a: scope.reshape(patches, [1, n * oh * ow, fh * fw * ci]), b: scope.reshape(dy, [1, n * oh * ow, co]) },
    { transposeA: true, transposeB: false },
  );
  const out = scope.reshape(product, [fh, fw, ci, co]);
  scope.dispose(out);
  return out;
}

let byPatches = true;
let calls = 0;

/** How many filter gradients the patch product computed (tests check it ran, not a fallback). */
export function webgpuFilterGradByPatchesCalls(): number {
  return calls;
}

/** For benchmarks: false runs tfjs's own kernel again, so the two can alternate in one process. */
export function useWebgpuFilterGradByPatches(on: boolean): void {
  byPatches = on;
}

/**
 * Puts the patch product in place of the WebGPU backend's Conv2DBackpropFilter, NHWC only (tfjs's
 * layers use nothing else); once; false where WebGPU is not loaded.
 */
export function installWebgpuConv2dBackpropFilter(): boolean {
  return wrapKernel('webgpu', tf.Conv2DBackpropFilter, (original) => (args) => {
    const { dataFormat } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return dataFormat === 'NCHW' || !byPatches ? original(args) : conv2dBackpropFilterByPatches(args, 'webgpu');
  });
}
