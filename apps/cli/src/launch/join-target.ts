import { UsageError } from '../output.ts';

/**
 * The coordinator a `launch --join` fleet member works for: an explicit URL, else SHARDGRAD_URL,
 * else torchrun's MASTER_ADDR and MASTER_PORT (8080 when the port is not given).
 */
export function joinTarget(explicit: string | true, env: NodeJS.ProcessEnv): URL {
  // An empty variable counts as unset: manifests often pass `SHARDGRAD_URL: ${SHARDGRAD_URL:-}`.
  const raw = typeof explicit === 'string' ? explicit : env.SHARDGRAD_URL || (env.MASTER_ADDR ? `http://${env.MASTER_ADDR}:${env.MASTER_PORT ?? '8080'}` : undefined);
  if (!raw) throw new UsageError('--join needs a coordinator: --join <url>, or SHARDGRAD_URL, or MASTER_ADDR (+ MASTER_PORT)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`coordinator "${raw}" is not a URL (expected e.g. http://coordinator:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`coordinator "${raw}" must be an http:// or https:// URL`);
  return url;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the coordinator's /readyz answers 200. Fleet members usually start before the
 * coordinator listens (a Job and a Deployment applied together); failing at once would only turn
 * into crash-loop back-off. Polls once a second; throws after `timeoutS`.
 */
export async function waitUntilReady(url: URL, timeoutS: number, onWait?: (why: string) => void): Promise<void> {
  const readyz = new URL('readyz', url.href.endsWith('/') ? url.href : `${url.href}/`);
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(readyz, { signal: AbortSignal.timeout(5000) });
      if (res.ok) return;
      last = `${readyz.href} answered ${res.status}`;
    } catch (e) {
      last = `${readyz.href}: ${(e as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`the coordinator was not ready within ${timeoutS} s (${last})`);
    onWait?.(last);
    await sleep(1000);
  }
}
