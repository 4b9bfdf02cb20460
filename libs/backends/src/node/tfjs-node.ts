import * as tf from '@tensorflow/tfjs';

// The GPU build first: when both are installed the user wants the GPU.
const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export const TFJS_NODE_INSTALL_HINT =
  'On a GPU box (Linux x64, NVIDIA driver > 450, CUDA 11.2, cuDNN 8.1 — libtensorflow 2.9.1): ' +
  '`npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0`; on a CPU box: ' +
  '`npm install --no-save @tensorflow/tfjs-node@4.22.0`. Keep the version exactly equal to ' +
  '@tensorflow/tfjs (4.22.0), or two tfjs-core copies register kernels twice. ' +
  'Without it, use --backend wasm.';

/** Neither package could be imported; `notInstalled` when both are simply absent. */
export class TfjsNodeUnavailableError extends Error {
  constructor(message: string, readonly notInstalled: boolean) {
    super(message);
    this.name = 'TfjsNodeUnavailableError';
  }
}

export interface TensorflowBackendInfo {
  pkg: string;
  /** tfjs-node-gpu silently runs on the CPU when CUDA/cuDNN do not match; this says which. */
  isUsingGpuDevice?: boolean;
}

/**
 * Imports tfjs-node(-gpu) and switches to its 'tensorflow' backend. They are optional
 * dependencies (native, not installable everywhere), so a failure explains how to install them.
 */
export async function initTensorflowBackend(): Promise<TensorflowBackendInfo> {
  const failures: string[] = [];
  let allMissing = true;
  for (const pkg of PACKAGES) {
    try {
      await import(/* @vite-ignore */ pkg);
    } catch (e) {
      const why = describeImportFailure(e);
      allMissing &&= why === NOT_INSTALLED;
      failures.push(`${pkg}: ${why}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      throw new Error(
        `${pkg} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs: ` +
          `it brought its own tfjs-core copy. ${TFJS_NODE_INSTALL_HINT}`,
      );
    }
    if (!(await tf.setBackend('tensorflow'))) {
      throw new Error(`${pkg} loaded but the 'tensorflow' backend failed to initialise`);
    }
    await tf.ready();
    const { isUsingGpuDevice } = tf.backend() as { isUsingGpuDevice?: boolean };
    return { pkg, isUsingGpuDevice };
  }
  throw new TfjsNodeUnavailableError(
    `The 'tensorflow' backend needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, and neither ` +
      `could be imported (${failures.join('; ')}). ${TFJS_NODE_INSTALL_HINT}`,
    allMissing,
  );
}

const NOT_INSTALLED = 'not installed';

function describeImportFailure(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = (err.message ?? String(e)).split('\n')[0];
  const missing = err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Failed to load url/.test(message);
  // An installed package that fails to load is usually libtensorflow/CUDA, not npm.
  return missing ? NOT_INSTALLED : `installed but failed to load: ${message}`;
}
