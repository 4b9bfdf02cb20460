/** What a model's tensor list must look like; two peers agree on a model iff their specs hash alike. */
export interface TensorSpec {
  shape: readonly number[];
  dtype: string;
}

/** FNV-1a over the canonical spec text: a fingerprint, not a security measure. */
export function schemaHash(specs: readonly TensorSpec[]): string {
  const text = specs.map((s) => `${s.dtype}[${s.shape.join(',')}]`).join(';');
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
