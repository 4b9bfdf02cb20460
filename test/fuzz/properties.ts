import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { CodecError, compressTensor, decodeTensors, encodeTensors, type TensorData } from '@shardgrad/codec';
import { ProtocolError, helloSchema, resultHeaderSchema } from '@shardgrad/protocol';
import { decodeCheckpoint, validateResult } from '@shardgrad/coordinator';

/** A generous per-message ceiling: a decoder that takes longer on some input is a denial of service. */
export const MAX_MS_PER_MESSAGE = 50;

export interface FuzzProperty {
  name: string;
  /** Cases in CI; the long script multiplies them. */
  runs: number;
  // Each property has its own argument tuple; the runner only needs to run it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  property: fc.IProperty<any>;
}

/** Most CPU time a single call took, per property name, in ms. */
export const slowest = new Map<string, number>();

/**
 * Runs `f` and records its CPU time (user + system): unlike wall time it does not grow when a busy
 * machine deschedules the process, so the bound measures the decoder and not the neighbours.
 */
function timed<T>(name: string, f: () => T): T {
  const t0 = process.cpuUsage();
  try {
    return f();
  } finally {
    const d = process.cpuUsage(t0);
    const ms = (d.user + d.system) / 1000;
    if (ms > (slowest.get(name) ?? 0)) slowest.set(name, ms);
  }
}

/** Throws unless `f` returns or throws one of the expected error types. */
function onlyThrows<T>(expected: (new (...a: never[]) => Error)[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (expected.some((E) => e instanceof E)) return undefined;
    throw e;
  }
}

const specs = [
  { shape: [4, 3], dtype: 'float32' as const },
  { shape: [3], dtype: 'float32' as const },
];
const packr = new Packr({ useRecords: false, structuredClone: false });

const tensor = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), fc.constantFrom('float32' as const, 'int32' as const))
  .chain(([shape, dtype]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n, maxLength: n }).map(
      (v): TensorData => ({ shape, dtype, data: dtype === 'float32' ? Float32Array.from(v) : Int32Array.from(v) }),
    );
  });

const compressedTensor = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 24 }), { maxLength: 2 }), fc.constantFrom('fp16' as const, 'int8' as const), fc.integer({ min: 1, max: 40 }))
  .map(([shape, encoding, block]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    return compressTensor(shape, data, encoding, undefined, block);
  });

/** Keys that pollute prototypes when a decoder or a schema assigns them carelessly. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'polluted');
const nastyObject = fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 8 })), fc.anything({ maxDepth: 2 }), { maxKeys: 6 });

/** The properties: every decoder and schema that sees bytes or objects from an untrusted peer. */
export function fuzzProperties(): FuzzProperty[] {
  return [
    {
      name: 'decodeTensors(random bytes)',
      runs: 45_000,
      property: fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const out = timed('decodeTensors(random bytes)', () => onlyThrows([CodecError], () => decodeTensors(b, 1 << 20)));
        if (out) for (const t of out) if (t.data.length !== t.shape.reduce((a, c) => a * c, 1)) throw new Error('inconsistent tensor');
      }),
    },
    {
      name: 'decodeTensors(any msgpack value)',
      runs: 10_000,
      property: fc.property(fc.oneof(fc.anything({ maxDepth: 4, withTypedArray: true, withMap: true, withSet: true, withBigInt: true, withDate: true }), nastyObject), (v) => {
        let bytes: Uint8Array;
        try {
          bytes = packr.pack(v);
        } catch {
          return; // not encodable: nothing a peer could send
        }
        timed('decodeTensors(any msgpack value)', () => onlyThrows([CodecError], () => decodeTensors(bytes, 1 << 20)));
      }),
    },
    {
      name: 'decodeTensors(mutated valid payload)',
      runs: 15_000,
      property: fc.property(fc.array(tensor, { maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), (ts, flips, cut) => {
        const bytes = encodeTensors(ts).slice();
        for (const [at, v] of flips) if (bytes.length) bytes[at % bytes.length] = v;
        const input = flips.length === 0 && cut % 3 === 0 ? bytes : bytes.subarray(0, bytes.length - (cut % (bytes.length + 1)));
        const out = timed('decodeTensors(mutated valid payload)', () => onlyThrows([CodecError], () => decodeTensors(input, 1 << 20)));
        if (out && input === bytes && out.length !== ts.length) throw new Error('a valid payload lost tensors');
      }),
    },
    {
      // fp16 and int8 items (docs/compression.md): flipped bytes in block sizes, scales and codes.
      name: 'decodeTensors(mutated compressed payload)',
      runs: 5_000,
      property: fc.property(fc.array(compressedTensor, { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), (ts, flips, cut) => {
        const bytes = encodeTensors(ts).slice();
        for (const [at, v] of flips) if (bytes.length) bytes[at % bytes.length] = v;
        const input = flips.length === 0 && cut % 3 === 0 ? bytes : bytes.subarray(0, bytes.length - (cut % (bytes.length + 1)));
        const out = timed('decodeTensors(mutated compressed payload)', () => onlyThrows([CodecError], () => decodeTensors(input, 1 << 20)));
        if (out) for (const t of out) if (t.data.length !== t.shape.reduce((a, c) => a * c, 1)) throw new Error('inconsistent tensor');
        if (out && input === bytes && out.length !== ts.length) throw new Error('a valid payload lost tensors');
      }),
    },
    {
      name: 'resultHeaderSchema(anything)',
      runs: 12_000,
      property: fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), nastyObject, resultHeaderLike()), (v) => {
        const r = timed('resultHeaderSchema(anything)', () => resultHeaderSchema.safeParse(v));
        if (r.success && (typeof r.data.round !== 'number' || !Number.isInteger(r.data.count) || r.data.count < 1)) throw new Error('schema let a bad header through');
      }),
    },
    {
      name: 'helloSchema(anything)',
      runs: 10_000,
      property: fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), nastyObject, helloLike()), (v) => {
        const r = timed('helloSchema(anything)', () => helloSchema.safeParse(v));
        if (r.success && Object.keys(r.data).some((k) => !['protocol', 'kind', 'backend', 'nickname', 'token', 'samplesPerSecond', 'threads', 'resume', 'compress'].includes(k))) {
          throw new Error('schema let an unknown key through');
        }
      }),
    },
    {
      name: 'validateResult(header, payload)',
      runs: 10_000,
      property: fc.property(fc.oneof(resultHeaderLike(), nastyObject, fc.anything({ maxDepth: 2 })), payloadLike(), (h, p) => {
        timed('validateResult(header, payload)', () =>
          onlyThrows([ProtocolError], () => validateResult(h, p, { runId: 'run', schemaHash: 'hash', specs, maxPayloadBytes: 4096 })),
        );
      }),
    },
    {
      name: 'decodeCheckpoint(random bytes)',
      runs: 5_000,
      // Both formats' magic: past it, each reads a header length and a header of its own.
      property: fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(undefined, 'SGCKPT1\n', 'SGCKPT2\n'), (b, magic) => {
        const bytes = magic ? new Uint8Array([...Buffer.from(magic, 'latin1'), ...b]) : b;
        timed('decodeCheckpoint(random bytes)', () => onlyThrows([Error], () => decodeCheckpoint(bytes)));
      }),
    },
  ];
}

function resultHeaderLike() {
  return fc.record(
    {
      runId: fc.oneof(fc.constant('run'), fc.string({ maxLength: 80 })),
      round: fc.oneof(fc.nat(), fc.double(), fc.string()),
      version: fc.oneof(fc.nat(), fc.integer()),
      shardId: fc.oneof(fc.nat(), fc.constant(-1)),
      count: fc.oneof(fc.integer({ min: 1, max: 1e6 }), fc.double()),
      loss: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity)),
      metrics: fc.oneof(fc.constant(undefined), nastyObject, fc.dictionary(fc.string({ maxLength: 40 }), fc.double())),
      schemaHash: fc.oneof(fc.constant('hash'), fc.string({ maxLength: 70 })),
      computeMs: fc.oneof(fc.double(), fc.nat()),
      encoding: fc.oneof(fc.constantFrom('none', 'fp16', 'int8'), fc.string({ maxLength: 8 })),
    },
    { requiredKeys: [] },
  );
}

function helloLike() {
  return fc.record(
    {
      protocol: fc.oneof(fc.nat(), fc.string()),
      kind: fc.oneof(fc.constantFrom('node', 'browser', 'thread'), fc.string()),
      backend: fc.string({ maxLength: 40 }),
      nickname: fc.string({ maxLength: 50 }),
      token: fc.string({ maxLength: 210 }),
      resume: fc.string({ maxLength: 70 }),
      samplesPerSecond: fc.double(),
      threads: fc.integer(),
      compress: fc.oneof(fc.constantFrom('none', 'fp16', 'int8', 'auto'), fc.string({ maxLength: 8 })),
      __proto__: nastyObject,
    },
    { requiredKeys: [] },
  );
}

function payloadLike() {
  return fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 15, maxLength: 15 }).map((v) =>
      encodeTensors([
        { shape: [4, 3], dtype: 'float32', data: Float32Array.from(v.slice(0, 12)) },
        { shape: [3], dtype: 'float32', data: Float32Array.from(v.slice(12)) },
      ]),
    ),
    fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 15, maxLength: 15 }).chain((v) =>
      fc.constantFrom('fp16' as const, 'int8' as const).map((e) =>
        encodeTensors([compressTensor([4, 3], Float32Array.from(v.slice(0, 12)), e), compressTensor([3], Float32Array.from(v.slice(12)), e)]),
      ),
    ),
    fc.anything({ maxDepth: 1 }),
  );
}

/** Object.prototype's own keys and a probe: after fuzzing, both must be as they were. */
export function prototypeFingerprint(): string {
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), ({} as Record<string, unknown>).polluted, Object.getOwnPropertyNames(Array.prototype).length]);
}
