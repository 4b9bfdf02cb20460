const PAGE = 65536;

/**
 * Grows `memory` to at least `bytes`; false where a 32-bit wasm memory cannot hold them (~4 GB, a
 * model of some 500M parameters), and the caller's plain loops take over.
 */
export function growMemoryTo(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  try {
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/** Bytes to the next multiple of 16, the alignment of the update kernels' four-float loads. */
export const aligned16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * One instance of a kernel module (made on first use) whose memory grows as callers need room;
 * each SIMD helper keeps its own, so each has a memory of its own.
 */
export class KernelInstance<K extends { memory: WebAssembly.Memory }> {
  private exports: K | undefined;
  private room = 0;

  constructor(private readonly module: WebAssembly.Module) {}

  /** The instance, its memory at least `bytes` long; undefined past what a wasm memory holds. */
  withRoom(bytes: number): K | undefined {
    this.exports ??= new WebAssembly.Instance(this.module).exports as unknown as K;
    if (bytes > this.room) {
      if (!growMemoryTo(this.exports.memory, bytes)) return undefined;
      this.room = bytes;
    }
    return this.exports;
  }
}
