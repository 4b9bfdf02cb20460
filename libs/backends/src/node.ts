import * as tf from '@tensorflow/tfjs';
import { parseNodeBackendName, type NodeBackendName } from './backend-name.ts';
import { installWasmFastPaths, registerWasmKernels, wasmKernelConfigs } from './kernels/register.ts';
import { initTensorflowBackend, TfjsNodeUnavailableError } from './node/tfjs-node.ts';
import { installNavigatorGpu, uninstallNavigatorGpu } from './node/webgpu-dawn.ts';
import { installWebgpuConv2dBackpropFilter } from './kernels/conv2d-backprop-filter.webgpu.ts';
import { installWebgpuLeadingAxesReductions } from './kernels/sum-leading-axes.webgpu.ts';
import { installWebgpuDropoutMasks } from './kernels/dropout-mask.webgpu.ts';
import { boundWebgpuBufferPool } from './webgpu-buffer-pool.ts';
import { registerGradientOverrides } from './gradients/register.ts';
import { installFusedConvTraining } from './gradients/fused-conv-training.ts';
import { loadGradientKernels } from './kernels/simd/load-gradient-kernels.node.ts';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { NodeBackendName } from './backend-name.ts';
export { SWIFTSHADER_ICD, configureVulkan } from './node/webgpu-dawn.ts';
export { TFJS_NODE_INSTALL_HINT, TfjsNodeUnavailableError } from './node/tfjs-node.ts';

export interface NodeBackendInfo {
  /** tfjs's name for the active backend. */
  backend: string;
  /** One line for logs: which package, device, threads, and why `auto` chose what it did. */
  detail: string;
}

/**
 * Selects and initialises a tfjs backend in this Node process (backends are process-global).
 * Throws with a reason and a remedy when the requested one cannot run; only `auto` falls back.
 *
 * On `webgpu` in Node, `dataSync()`/`arraySync()` throw (tfjs reads synchronously through an
 * OffscreenCanvas, which Node lacks): read tensors with `await data()`.
 */
export async function initNodeBackend(name: NodeBackendName): Promise<NodeBackendInfo> {
  // Every backend: tfjs-core's Mean and Sum gradients upload an input-sized array of ones from
  // JavaScript (half a WebGPU CNN step's CPU time on an H200 box at batch 1,024).
  registerGradientOverrides();
  switch (parseNodeBackendName(name)) {
    case 'tensorflow':
      return initTensorflow();
    case 'auto':
      try {
        return await initTensorflow();
      } catch (e) {
        // Falls back on any failure (a broken CUDA install too); the reason goes into `detail`.
        const wasm = await initWasm();
        const why = e instanceof TfjsNodeUnavailableError && e.notInstalled ? 'tfjs-node not installed' : (e as Error).message;
        return { ...wasm, detail: `auto: ${why}; ${wasm.detail}` };
      }
    case 'wasm':
      return initWasm();
    case 'cpu':
      return activate('cpu', 'tfjs cpu backend (plain JS; for reference checks, slow)');
    case 'webgpu':
      return initWebgpu();
  }
}

/**
 * Releases what keeps the process alive (Dawn's navigator.gpu). Safe to call at any time. If
 * webgpu was active, tfjs has no backend afterwards until the next initNodeBackend (or op).
 */
export async function disposeNodeBackend(): Promise<void> {
  if (tf.findBackend('webgpu') != null) {
    // removeBackend also drops the registration; keep the factory so a later init can re-add it.
    webgpuFactory ??= tf.findBackendFactory('webgpu') as WebgpuFactory;
    tf.removeBackend('webgpu');
  }
  uninstallNavigatorGpu();
}

async function initTensorflow(): Promise<NodeBackendInfo> {
  const { pkg, isUsingGpuDevice } = await initTensorflowBackend();
  const device = isUsingGpuDevice == null
    ? ''
    : isUsingGpuDevice
      ? ', GPU in use'
      : ', isUsingGpuDevice=false: running on CPU (CUDA 11.2 / cuDNN 8.1 not found?)';
  return { backend: tf.getBackend(), detail: `${pkg}${device}` };
}

async function initWasm(): Promise<NodeBackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  installWasmFastPaths();
  const fusedConv = installFusedConvTraining();
  const info = await activate('wasm', '');
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'simd' : 'no simd';
  const gradientSimd = await loadGradientKernels(tf.backend() as BackendWasm);
  const kernels = wasmKernelConfigs.map((k) => k.kernelName).join(', ') +
    (gradientSimd ? '; SIMD gradient kernels (conv filter, max-pool, bias sums)' : '; SIMD gradient kernels unavailable') +
    (gradientSimd && fusedConv ? '; conv + bias + relu fused in training' : '');
  // Node has no wasm threads (flags_wasm.ts): one process uses one core.
  return {
    ...info,
    detail: `tfjs-backend-wasm (${simd}, ${wasm.getThreadsCount()} thread) + shardgrad kernels: ${kernels}`,
  };
}

type WebgpuFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;
let webgpuFactory: WebgpuFactory | undefined;

async function initWebgpu(): Promise<NodeBackendInfo> {
  const gpu = await installNavigatorGpu();
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    installWebgpuConv2dBackpropFilter();
    installWebgpuLeadingAxesReductions();
    installWebgpuDropoutMasks();
    if (tf.findBackendFactory('webgpu') == null) {
      if (webgpuFactory == null) throw new Error('tfjs-backend-webgpu did not register (navigator.gpu missing at import?)');
      tf.registerBackend('webgpu', webgpuFactory, 3);
    }
    const where = gpu.icd ? `, VK_ICD_FILENAMES=${gpu.icd}` : '';
    const info = await activate('webgpu', `tfjs-backend-webgpu on Dawn: ${gpu.adapter}${where}`);
    boundWebgpuBufferPool(tf.backend());
    return info;
  } catch (e) {
    uninstallNavigatorGpu();
    throw e;
  }
}

async function activate(name: string, detail: string): Promise<NodeBackendInfo> {
  if (!(await tf.setBackend(name))) {
    throw new Error(`tfjs could not initialise the '${name}' backend (see the warning above)`);
  }
  await tf.ready();
  return { backend: tf.getBackend(), detail };
}
