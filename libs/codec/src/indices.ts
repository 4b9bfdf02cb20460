/** socket.io delivers binary as Buffer/ArrayBuffer depending on the side; normalise to Uint8Array. */
export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError('expected binary data');
}

/** Sample indices travel as raw uint32 bytes; this copies them into an aligned array. */
export function indicesFromBytes(v: unknown): Uint32Array {
  const b = asBytes(v);
  if (b.byteLength % 4 !== 0) throw new TypeError(`index buffer of ${b.byteLength} bytes is not a multiple of 4`);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Uint32Array(copy.buffer);
}
