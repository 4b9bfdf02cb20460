/** What a join link may say, e.g. `/?name=Ada&backend=webgl`. Bad values are refused with a reason. */
import { BROWSER_BACKENDS, isBrowserBackend, type BrowserBackend } from './compute-api.ts';

export interface PageOptions {
  /** Backends to calibrate, in preference order (cpu is always measured, as the reference). */
  candidates: BrowserBackend[];
  /** Train on this backend if it works and matches cpu, whatever the others measure. */
  pinned?: BrowserBackend;
  nickname?: string;
  /** The class's join code, sent as the hello token. */
  code?: string;
  /** Test and demo hook, as the Node worker's: stretch each shard's compute time by this factor. */
  slowdown: number;
  /** `?compress=fp16`: send gradients as halves, with error feedback (docs/compression.md). */
  compress: 'none' | 'fp16';
}

const MAX_NICKNAME = 40;

export function parsePageOptions(search: string): PageOptions {
  const q = new URLSearchParams(search);
  const backend = q.get('backend') ?? undefined;
  const list = q.get('backends');
  let candidates: BrowserBackend[] = [...BROWSER_BACKENDS];
  let pinned: BrowserBackend | undefined;
  if (list !== null) {
    const names = list.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = names.filter((n) => !isBrowserBackend(n));
    if (bad.length || names.length === 0) throw new Error(`unknown backend "${bad[0] ?? list}" in ?backends=; choose from ${BROWSER_BACKENDS.join(', ')}`);
    candidates = names as BrowserBackend[];
  }
  if (backend !== undefined) {
    if (!isBrowserBackend(backend)) throw new Error(`unknown backend "${backend}" in ?backend=; choose from ${BROWSER_BACKENDS.join(', ')}`);
    // Pinned: calibrate that one (and cpu as the reference); later ones are measured if it fails.
    pinned = backend;
    candidates = [backend];
  }
  const nickname = q.get('name')?.trim().slice(0, MAX_NICKNAME) || undefined;
  const code = q.get('code')?.trim().toUpperCase() || undefined;
  const slowText = q.get('slowdown');
  const slowdown = slowText === null ? 1 : Number(slowText);
  if (!(Number.isFinite(slowdown) && slowdown >= 1 && slowdown <= 1000)) throw new Error(`?slowdown= must be a number from 1 to 1000, got "${slowText}"`);
  const compress = q.get('compress') ?? 'none';
  // A tab offers fp16 only: int8 and auto are the Node worker's (a tab's upload is rarely the bottleneck it can measure).
  if (compress !== 'none' && compress !== 'fp16') throw new Error(`?compress= must be none or fp16, got "${compress}"`);
  return { candidates, pinned, nickname, code, slowdown, compress };
}
