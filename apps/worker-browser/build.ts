/**
 * Bundles the join page (main thread + the compute Web Worker) into apps/worker-browser/dist with
 * esbuild. The coordinator calls ensureWorkerBrowserBuilt() on the first page request; run this
 * file with tsx to build by hand (`npx tsx apps/worker-browser/build.ts [--force]`).
 */
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(APP_DIR, '..', '..');
export const WORKER_BROWSER_DIST = join(APP_DIR, 'dist');
const STAMP = '.build-stamp';
/** Copied as they are, next to the bundles. */
const STATIC_FILES = ['index.html', 'src/style.css'];

/** Every file whose change changes the bundle: this app, the libs it bundles, the locked versions. */
async function inputFiles(): Promise<string[]> {
  const out: string[] = [join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url)];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(ts|css|html|wat)$/.test(e.name) && !/\.spec\.ts$/.test(e.name)) out.push(p);
    }
  };
  await walk(join(APP_DIR, 'src'));
  out.push(join(APP_DIR, 'index.html'));
  for (const lib of await readdir(join(ROOT, 'libs'))) await walk(join(ROOT, 'libs', lib, 'src'));
  return out.sort();
}

/** A fingerprint of the inputs (path, size, mtime): cheap enough to check at every coordinator start. */
async function inputsFingerprint(): Promise<string> {
  const h = createHash('sha256');
  for (const f of await inputFiles()) {
    const s = await stat(f).catch(() => undefined);
    h.update(`${relative(ROOT, f)}:${s?.size ?? -1}:${s?.mtimeMs ?? -1}\n`);
  }
  return h.digest('hex');
}

export async function isWorkerBrowserBuildFresh(outdir = WORKER_BROWSER_DIST): Promise<boolean> {
  const stamp = await readFile(join(outdir, STAMP), 'utf8').catch(() => '');
  return stamp === (await inputsFingerprint());
}

/** Builds into `outdir` unconditionally; writes to a fresh folder first, so readers never see half a build. */
export async function buildWorkerBrowser(outdir = WORKER_BROWSER_DIST): Promise<string> {
  const { build } = await import('esbuild');
  const fingerprint = await inputsFingerprint();
  const tmp = `${outdir}.tmp-${process.pid}-${Date.now()}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await build({
      entryPoints: { main: join(APP_DIR, 'src/main.ts'), 'compute.worker': join(APP_DIR, 'src/compute.worker.ts') },
      outdir: tmp,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      // Module workers and top-level await: Chrome 91+, Safari 15+, Firefox 114+.
      target: ['es2022'],
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
    });
    await Promise.all(STATIC_FILES.map((f) => copyFile(join(APP_DIR, f), join(tmp, f.split('/').pop()!))));
    // Our SIMD kernels, assembled here for every engine variant: the tab fetches the one it can link.
    const { assembleKernelBinaries } = await import('@shardgrad/backends/kernels/simd/assemble-kernel-binaries.node');
    await assembleKernelBinaries(tmp);
  } catch (e) {
    // A failed build leaves nothing behind (a bench that retried one left six half-built folders).
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await writeFile(join(tmp, STAMP), fingerprint);
  // Swap in: another process may have finished the same build meanwhile, and either copy is good.
  const old = `${outdir}.old-${process.pid}-${Date.now()}`;
  await rename(outdir, old).catch(() => undefined);
  try {
    await rename(tmp, outdir);
  } catch (e) {
    if (!(await isWorkerBrowserBuildFresh(outdir))) throw e;
  }
  await Promise.all([rm(old, { recursive: true, force: true }), rm(tmp, { recursive: true, force: true })]);
  return outdir;
}

let pending: Promise<string> | undefined;

/**
 * Builds only when dist is missing or older than its inputs; concurrent callers share one build.
 * A deployment installed without esbuild (no dev dependencies) serves the bundle it has, stale or not.
 */
export function ensureWorkerBrowserBuilt(outdir = WORKER_BROWSER_DIST): Promise<string> {
  pending ??= (async () => {
    if (await isWorkerBrowserBuildFresh(outdir)) return outdir;
    try {
      return await buildWorkerBrowser(outdir);
    } catch (e) {
      const built = await stat(join(outdir, 'index.html')).then(() => true, () => false);
      if (!built) throw e;
      console.warn(`join page: serving the existing bundle in ${outdir}; rebuilding failed: ${(e as Error).message}`);
      return outdir;
    }
  })().finally(() => {
    pending = undefined;
  });
  return pending;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const t0 = performance.now();
  const dir = force ? await buildWorkerBrowser() : await ensureWorkerBrowserBuilt();
  console.log(`join page ready in ${relative(process.cwd(), dir) || dir} (${Math.round(performance.now() - t0)} ms)`);
}
