/**
 * Turning tfjs backends on in the compute Web Worker, and noticing when a GPU goes away.
 * Importing this file registers every backend a tab may use: cpu and webgl come with tfjs, webgpu
 * and wasm are separate packages.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  boundWebgpuBufferPool, installFusedConvTraining, installWasmFastPaths, installWebgpuConv2dBackpropFilter, installWebgpuDropoutMasks, installWebgpuLeadingAxesReductions, loadGradientKernelsFrom, registerWasmKernels,
} from '@shardgrad/backends';
import type { BrowserBackend } from './compute-api.ts';

/**
 * Past this many bytes of textures, tfjs's WebGL backend deletes a released texture instead of
 * keeping it for reuse. It keeps them by shape and never lets go by default, and a tab's shard
 * changes size with its share each round: without a bound, every round leaves its textures behind
 * (WebGPU's buffers are bounded by steps instead, libs/backends/src/webgpu-buffer-pool.ts). tfjs
 * counts free and used textures against it, so a tab whose step alone needs more than this stops
 * reusing textures at all: far above a classroom shard's needs, within a phone's memory.
 */
const WEBGL_POOL_BYTES = 256 * 2 ** 20;

/** What we touch of the webgl backend: its context, to watch for and to test context loss. */
interface WebglBackendView {
  gpgpu?: { gl?: WebGL2RenderingContext };
}
/** What we touch of the webgpu backend: its device (`lost` promise, `destroy`). */
interface WebgpuBackendView {
  device?: { lost: Promise<{ reason?: string; message?: string }>; destroy(): void };
}

export type Activation = { ok: true } | { ok: false; error: string };

/**
 * Knows which backends are usable. A backend whose context or device was lost is never used again
 * in this tab: a GPU that crashed once is likely to crash again, and losing work twice costs more
 * than running on the next backend.
 */
export class Backends {
  private lost = new Map<BrowserBackend, string>();
  private watched = new Set<BrowserBackend>();
  private wasmKernels?: Awaited<ReturnType<typeof loadGradientKernelsFrom>>;

  constructor(wasmPrefix?: string) {
    // setWasmPaths concatenates, so the trailing slash is required; it must precede setBackend('wasm').
    if (wasmPrefix) setWasmPaths(wasmPrefix.endsWith('/') ? wasmPrefix : `${wasmPrefix}/`);
    registerWasmKernels();
    // Faster formulations of wasm's slow gradient kernels; calibration still checks them against cpu.
    installWasmFastPaths();
    // Conv + bias + relu as one kernel in training, where our SIMD kernels load (below).
    installFusedConvTraining();
    // WebGPU's filter gradient and reductions over leading axes as chunked partial sums: tfjs gives
    // them one thread, or one workgroup, per output (most of a CNN step's GPU time on an H100).
    installWebgpuConv2dBackpropFilter();
    installWebgpuLeadingAxesReductions();
    // Dropout masks drawn on the GPU, the same as the JavaScript ones (libs/trainer/src/sample-dropout.ts).
    installWebgpuDropoutMasks();
  }

  async activate(b: BrowserBackend): Promise<Activation> {
    const reason = this.lostReason(b);
    if (reason) return { ok: false, error: `lost earlier (${reason})` };
    if (b === 'webgpu' && !(globalThis.navigator as { gpu?: unknown } | undefined)?.gpu) {
      // Browsers only expose WebGPU to secure contexts: a class LAN over plain http gets none.
      const insecure = (globalThis as { isSecureContext?: boolean }).isSecureContext === false;
      return { ok: false, error: insecure ? 'WebGPU needs the page over HTTPS (or localhost)' : 'this browser offers no WebGPU' };
    }
    let ok = false;
    try {
      ok = await tf.setBackend(b);
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
    if (!ok) return { ok: false, error: `tfjs could not start the ${b} backend here` };
    await tf.ready();
    if (b === 'webgpu') boundWebgpuBufferPool(tf.backend());
    if (b === 'webgl') tf.env().set('WEBGL_DELETE_TEXTURE_THRESHOLD', WEBGL_POOL_BYTES);
    // Our SIMD kernels (convolutions, products, pooling, as a Node worker has), served beside this script.
    if (b === 'wasm') this.wasmKernels ??= await loadGradientKernelsFrom(tf.backend() as BackendWasm, new URL('./', import.meta.url));
    this.watch(b);
    return { ok: true };
  }

  /** Why `b` cannot be used any more, or undefined while it is fine. */
  lostReason(b: BrowserBackend): string | undefined {
    const known = this.lost.get(b);
    if (known) return known;
    if (b === 'webgl' && this.webglContext()?.isContextLost()) {
      this.lost.set(b, 'WebGL context lost');
      return this.lost.get(b);
    }
    return undefined;
  }

  markLost(b: BrowserBackend, reason: string): void {
    if (b !== 'cpu' && !this.lost.has(b)) this.lost.set(b, reason);
  }

  /** Whether the wasm backend runs our SIMD kernels, or why not; undefined before wasm started. */
  wasmKernelsStatus(): string | undefined {
    const k = this.wasmKernels;
    return k === undefined ? undefined : k.ok ? 'shardgrad SIMD kernels' : `tfjs kernels only (${k.reason})`;
  }

  /** Threads of the wasm backend (1 unless the page is cross-origin isolated). */
  wasmThreads(): number | undefined {
    try {
      return getThreadsCount();
    } catch {
      return undefined;
    }
  }

  /** Test hook: lose the WebGL context or destroy the WebGPU device, as a driver reset would. */
  loseForTest(b: BrowserBackend): boolean {
    if (b === 'webgl') {
      const ext = this.webglContext()?.getExtension('WEBGL_lose_context');
      ext?.loseContext();
      return ext != null;
    }
    if (b === 'webgpu') {
      const device = (tf.findBackend('webgpu') as WebgpuBackendView | null)?.device;
      device?.destroy();
      return device != null;
    }
    return false;
  }

  private webglContext(): WebGL2RenderingContext | undefined {
    // findBackend would start a backend that is not running yet: only look at one we started.
    if (!this.watched.has('webgl')) return undefined;
    return (tf.findBackend('webgl') as WebglBackendView | null)?.gpgpu?.gl;
  }

  private watch(b: BrowserBackend): void {
    if (this.watched.has(b)) return;
    this.watched.add(b);
    if (b === 'webgpu') {
      const device = (tf.findBackend('webgpu') as WebgpuBackendView | null)?.device;
      void device?.lost.then((info) => this.markLost('webgpu', `WebGPU device lost${info.message ? `: ${info.message}` : info.reason ? ` (${info.reason})` : ''}`));
    }
    if (b === 'webgl') {
      const canvas = this.webglContext()?.canvas as (EventTarget & { addEventListener?: unknown }) | undefined;
      if (typeof canvas?.addEventListener === 'function') {
        canvas.addEventListener('webglcontextlost', () => this.markLost('webgl', 'WebGL context lost'));
      }
    }
  }
}
