/**
 * A linear pre-scan of msgpack bytes that proves every length inside fits in what is left of the
 * buffer, before any decoder allocates for it. A 5-byte array32 header can otherwise claim 4 billion
 * elements, and a decoder that sizes its array from the header spends seconds and gigabytes on a
 * message that then turns out to be 5 bytes long. No allocation; O(bytes).
 * Returns undefined for a well-sized value, else why not.
 */
export function msgpackSizeProblem(b: Uint8Array): string | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  /** Values still to read; each needs at least one byte, so it can never exceed the bytes left. */
  let pending = 1;
  const need = (n: number): boolean => pos + n <= b.length;
  while (pending > 0) {
    if (pos >= b.length) return 'truncated';
    const t = b[pos++]!;
    pending--;
    let children = 0;
    let skip = 0;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) skip = 0;
    else if (t <= 0x8f) children = 2 * (t & 0x0f);
    else if (t <= 0x9f) children = t & 0x0f;
    else if (t <= 0xbf) skip = t & 0x1f;
    else {
      switch (t) {
        case 0xc4: case 0xd9: if (!need(1)) return 'truncated'; skip = 1 + b[pos]!; break;
        case 0xc5: case 0xda: if (!need(2)) return 'truncated'; skip = 2 + view.getUint16(pos); break;
        case 0xc6: case 0xdb: if (!need(4)) return 'truncated'; skip = 4 + view.getUint32(pos); break;
        case 0xc7: if (!need(1)) return 'truncated'; skip = 2 + b[pos]!; break;
        case 0xc8: if (!need(2)) return 'truncated'; skip = 3 + view.getUint16(pos); break;
        case 0xc9: if (!need(4)) return 'truncated'; skip = 5 + view.getUint32(pos); break;
        case 0xca: skip = 4; break;
        case 0xcb: skip = 8; break;
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xce: case 0xd2: skip = 4; break;
        case 0xcf: case 0xd3: skip = 8; break;
        case 0xd4: skip = 2; break;
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xdc: if (!need(2)) return 'truncated'; children = view.getUint16(pos); skip = 2; break;
        case 0xdd: if (!need(4)) return 'truncated'; children = view.getUint32(pos); skip = 4; break;
        case 0xde: if (!need(2)) return 'truncated'; children = 2 * view.getUint16(pos); skip = 2; break;
        case 0xdf: if (!need(4)) return 'truncated'; children = 2 * view.getUint32(pos); skip = 4; break;
        default: return `invalid byte 0x${t.toString(16)}`;
      }
    }
    if (!need(skip)) return `a length of ${skip} bytes runs past the end`;
    pos += skip;
    pending += children;
    if (pending > b.length - pos) return `${pending} values announced, ${b.length - pos} bytes left`;
  }
  return undefined;
}
