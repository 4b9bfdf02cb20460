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
