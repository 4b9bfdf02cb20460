import { readFileSync } from 'node:fs';

/**
 * Assembles a WebAssembly text file (SIMD allowed) into a compiled module with wabt, or undefined
 * where this engine cannot run it (no SIMD): the callers then keep their JavaScript paths.
 */
export async function compileWat(file: URL): Promise<WebAssembly.Module | undefined> {
  const wabt = await (await import('wabt')).default();
  const name = file.pathname.split('/').pop() ?? 'module.wat';
  const parsed = wabt.parseWat(name, readFileSync(file, 'utf8'), { simd: true });
  try {
    parsed.validate();
    const bytes = new Uint8Array(parsed.toBinary({}).buffer);
    return WebAssembly.validate(bytes) ? await WebAssembly.compile(bytes) : undefined;
  } finally {
    parsed.destroy();
  }
}
