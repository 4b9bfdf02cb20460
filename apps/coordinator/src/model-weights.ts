import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ModelFileError } from './model-file-error.ts';
import { BYTES_PER_VALUE, type ModelJson, type WeightSpec } from './model-file-schemas.ts';

/**
 * The weights a manifest lists, read and checked before tfjs sees them: tfjs took a file twice the
 * size, random bytes or all NaN without a word, and a short one failed naming no file. Each group's
 * files together must hold exactly its weights, and float32 weights must be finite numbers.
 */
export async function readManifestWeights(dir: string, manifest: ModelJson['weightsManifest']): Promise<{ specs: WeightSpec[]; data: ArrayBuffer }> {
  const groups: Uint8Array[] = [];
  for (const group of manifest) {
    const files = group.paths.map((p) => insideModel(dir, p));
    const bytes = concat(await Promise.all(files.map(readWeightsFile)));
    const named = files.join(' + ');
    const need = group.weights.reduce((s, w) => s + byteSize(w), 0);
    if (bytes.byteLength !== need) {
      throw new ModelFileError(
        `${named}: ${bytes.byteLength} bytes, where the ${group.weights.length} weights model.json lists take ${need}: ` +
          `${bytes.byteLength < need ? 'a truncated' : 'the wrong'} weights file for this model`,
      );
    }
    checkFinite(named, group.weights, bytes);
    groups.push(bytes);
  }
  return { specs: manifest.flatMap((g) => g.weights), data: concat(groups).buffer as ArrayBuffer };
}

/** A manifest path is relative to model.json's folder and may not leave it. */
function insideModel(dir: string, path: string): string {
  const file = resolve(dir, path);
  const rel = relative(resolve(dir), file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ModelFileError(`${join(dir, 'model.json')}: its weights path ${JSON.stringify(path)} leaves the model's folder`);
  }
  return join(dir, rel);
}

async function readWeightsFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(code === 'ENOENT' ? `${file}: no such file (model.json lists it as the model's weights)` : `${file}: cannot read it (${(e as Error).message})`);
  }
}

const byteSize = (w: WeightSpec) => w.shape.reduce((n, d) => n * d, 1) * BYTES_PER_VALUE[w.quantization?.dtype ?? w.dtype];

function checkFinite(named: string, specs: readonly WeightSpec[], bytes: Uint8Array): void {
  let offset = 0;
  for (const w of specs) {
    const size = byteSize(w);
    if (w.dtype === 'float32' && !w.quantization) {
      // A copy: the weights before this one may have left the offset unaligned for a Float32Array view.
      const values = new Float32Array(bytes.slice(offset, offset + size).buffer);
      const bad = values.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
      if (bad > 0) throw new ModelFileError(`${named}: weight ${w.name} holds ${bad} of ${values.length} values that are not finite numbers (NaN or infinity): a diverged or damaged model`);
    }
    offset += size;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, b) => s + b.byteLength, 0));
  let off = 0;
  for (const b of parts) {
    out.set(b, off);
    off += b.byteLength;
  }
  return out;
}
