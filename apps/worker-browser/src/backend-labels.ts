import type { BrowserBackend } from './compute-api.ts';

/** How the page names each backend to a student. */
export const BACKEND_LABELS: Record<BrowserBackend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
