import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { withoutRelaxedMadd } from './relaxed-madd.ts';
import { RELAXED_PROBE } from './relaxed-probe.ts';


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
 * A WebAssembly text's binary: SIMD on, relaxed SIMD where `relaxed` (else its fused multiply-adds
 * become a multiply and an add), shared-memory atomics allowed where `threads` (the import may then
 * be declared shared).
 */
export async function watToBinary(text: string, name: string, o: { relaxed: boolean; threads?: boolean }): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await (wabtReady ??= loadWabt());
  const features = { simd: true, relaxed_simd: o.relaxed, bulk_memory: true, threads: o.threads ?? false };
  const parsed = wabt.parseWat(name, o.relaxed ? text : withoutRelaxedMadd(text), features);
  try {
    // The validator takes its own features: without them it refuses a shared memory.
    (parsed as unknown as { validate(features: object): void }).validate(features);
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/**
 * Assembles a WebAssembly text file (SIMD allowed) into a compiled module with wabt, or undefined
 * where this engine cannot run it (no SIMD): the callers then keep their JavaScript paths. Its
 * `f32x4.relaxed_madd` become a multiply and an add where the engine has no relaxed SIMD
 * (`plain: true` asks for that anyway: tests compare the two).
 */
export async function compileWat(file: URL, options: { plain?: boolean } = {}): Promise<WebAssembly.Module | undefined> {
  const name = file.pathname.split('/').pop() ?? 'module.wat';
  const bytes = await watToBinary(readFileSync(file, 'utf8'), name, { relaxed: !options.plain && relaxedSimdAvailable() });
  return WebAssembly.validate(bytes) ? await WebAssembly.compile(bytes) : undefined;
}
