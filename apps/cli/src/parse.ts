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

/** The longest wait a Node timer holds (2^31 − 1 ms): past it Node fires the timer after 1 ms instead. */
export const MAX_WAIT_SECONDS = 2_147_483;

/** A wait in whole seconds, 0 up to what a timer holds (~24.8 days). */
export function waitSeconds(value: string): number {
  return secondsUpToTimer(nonNegativeInt(value), value);
}

/** waitSeconds, but at least 1 s. */
export function positiveWaitSeconds(value: string): number {
  return secondsUpToTimer(positiveInt(value), value);
}

function secondsUpToTimer(n: number, value: string): number {
  if (n > MAX_WAIT_SECONDS) throw new InvalidArgumentError(`expected seconds from 0 to ${MAX_WAIT_SECONDS} (about 24.8 days, the longest a timer waits), got "${value}"`);
  return n;
}

/** Where a worker finds its coordinator: http(s), or ws(s) as socket.io-client also takes. */
export function coordinatorUrl(value: string): string {
  return urlOf(value, ['http:', 'https:', 'ws:', 'wss:'], 'http://127.0.0.1:8080');
}

/** An http(s) URL, kept as given. */
export function httpUrl(value: string): string {
  return urlOf(value, ['http:', 'https:'], 'http://class.example:8080');
}

/** `value` when it parses as a URL of one of `schemes`; else refused in the flag's words, with `example`. */
function urlOf(value: string, schemes: readonly string[], example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // refused below
  }
  if (url && schemes.includes(url.protocol)) return value;
  // 'localhost:8080' parses, with the scheme "localhost:".
  const hint = url && !value.includes('//') ? ` (no scheme: did you mean http://${value}?)` : '';
  throw new InvalidArgumentError(`expected an http:// or https:// URL such as ${example}, got "${value}"${hint}`);
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
