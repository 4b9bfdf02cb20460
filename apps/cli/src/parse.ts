import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that reject bad values with a message naming the flag's expectation. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** A TCP port to listen on: 0 (any free one) to 65535. */
export function tcpPort(value: string): number {
  const n = nonNegativeInt(value);
  if (n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/**
 * The largest learning rate a flag takes: word2vec trains at 100, and past float32's range (3.4e38)
 * a rate becomes Infinity in the optimizer; no run wants more than this.
 */
export const MAX_LEARNING_RATE = 1000;

export function learningRate(value: string): number {
  const n = positiveNumber(value);
  if (n > MAX_LEARNING_RATE) throw new InvalidArgumentError(`expected a learning rate in (0, ${MAX_LEARNING_RATE}], got "${value}"`);
  return n;
}

/** A positive integer up to `max`; `why` says where the limit comes from. */
export function positiveIntUpTo(max: number, why: string) {
  return (value: string): number => {
    const n = positiveInt(value);
    if (n > max) throw new InvalidArgumentError(`expected a positive integer up to ${max} (${why}), got "${value}"`);
    return n;
  };
}

/** An http(s) URL, kept as given. */
export function httpUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // refused below, in the flag's words
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidArgumentError(`expected an http:// or https:// URL such as http://class.example:8080, got "${value}"`);
  return value;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}"`);
    return value as T;
  };
}

export function intList(value: string): number[] {
  return value.split(',').map((v) => nonNegativeInt(v));
}
