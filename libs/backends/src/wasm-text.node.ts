import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { withoutRelaxedMadd } from './relaxed-madd.ts';

/** A module with one relaxed fused multiply-add: how we ask the engine whether it has relaxed SIMD. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x3e, 0x01, 0x3c, 0x00, // code: one body of 60 bytes, no locals
  0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x1a, 0x0b, // drop, end
]);

let relaxed: boolean | undefined;
/** wabt's own WebAssembly, instantiated once per process (~8 ms a time, and five modules load at start). */
let wabtReady: ReturnType<typeof loadWabt> | undefined;
const loadWabt = async () => (await import('wabt')).default();

/**
 * Whether this engine runs relaxed SIMD, whose fused multiply-add is what our product loops are
 * bound by (AVX2 machines run 13 GMAC/s with it against 9 without, one core). Node 22's V8 has it;
 * Node 20's has it behind a flag that only decides what the compiler accepts, so we set it here.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxed === undefined) {
    relaxed = WebAssembly.validate(RELAXED_PROBE);
    if (!relaxed) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxed = WebAssembly.validate(RELAXED_PROBE);
    }
  }
  return relaxed;
}

/**
 * Assembles a WebAssembly text file (SIMD allowed) into a compiled module with wabt, or undefined
 * where this engine cannot run it (no SIMD): the callers then keep their JavaScript paths. Its
 * `f32x4.relaxed_madd` become a multiply and an add where the engine has no relaxed SIMD
 * (`plain: true` asks for that anyway: tests compare the two).
 */
export async function compileWat(file: URL, options: { plain?: boolean } = {}): Promise<WebAssembly.Module | undefined> {
  const wabt = await (wabtReady ??= loadWabt());
  const name = file.pathname.split('/').pop() ?? 'module.wat';
  const fused = !options.plain && relaxedSimdAvailable();
  const text = readFileSync(file, 'utf8');
  const parsed = wabt.parseWat(name, fused ? text : withoutRelaxedMadd(text), { simd: true, relaxed_simd: fused, bulk_memory: true });
  try {
    parsed.validate();
    const bytes = new Uint8Array(parsed.toBinary({}).buffer);
    return WebAssembly.validate(bytes) ? await WebAssembly.compile(bytes) : undefined;
  } finally {
    parsed.destroy();
  }
}
