import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watToBinary } from '../../wasm-text.node.ts';
import { KERNEL_BINARY_VARIANTS, KERNEL_MODULE_NAMES, MEMORY_IMPORT, SHARED_MEMORY_IMPORT, kernelBinaryName } from './kernel-binaries.ts';

/**
 * Writes every module in every variant (kernel-binaries.ts) into `outDir`, for browsers: a tab has no
 * wabt, and fetching 20 small binaries beats shipping an assembler. Returns the files written.
 */
export async function assembleKernelBinaries(outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const name of KERNEL_MODULE_NAMES) {
    const text = await readFile(new URL(`./${name}.wat`, import.meta.url), 'utf8');
    if (!text.includes(MEMORY_IMPORT)) throw new Error(`${name}.wat does not import its memory as ${MEMORY_IMPORT}`);
    for (const v of KERNEL_BINARY_VARIANTS) {
      const source = v.shared ? text.replace(MEMORY_IMPORT, SHARED_MEMORY_IMPORT) : text;
      const file = kernelBinaryName(name, v);
      await writeFile(join(outDir, file), await watToBinary(source, `${name}.wat`, { relaxed: v.relaxed, threads: v.shared }));
      written.push(file);
    }
  }
  return written;
}
