import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@shardgrad/runlog';

export interface WebAppSpec {
  /** The app's folder, e.g. apps/dashboard. */
  root: string;
  /** Entry module, relative to root. */
  entry: string;
  /** Static files copied as they are (index.html), relative to root. */
  statics: string[];
}

export interface WebFile {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

const META = 'bundle-meta.json';

/**
 * The app's files, bundled by esbuild when the bundle in `<root>/dist` is missing or older than any
 * of its sources, and served from memory. A coordinator installed without esbuild (no dev
 * dependencies) serves the bundle it finds, stale or not.
 */
export async function loadWebApp(spec: WebAppSpec): Promise<Map<string, WebFile>> {
  const dist = join(spec.root, 'dist');
  if (isStale(spec, dist)) await build(spec, dist);
  const files = new Map<string, WebFile>();
  for (const name of readdirSync(dist)) {
    if (name === META || name.startsWith('.')) continue;
    files.set(name, { body: readFileSync(join(dist, name)), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return files;
}

function isStale(spec: WebAppSpec, dist: string): boolean {
  const metaPath = join(dist, META);
  if (!existsSync(metaPath)) return true;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { builtAt: number; inputs: string[] };
    const inputs = [...meta.inputs, ...spec.statics.map((s) => join(spec.root, s))];
    return inputs.some((f) => !existsSync(f) || statSync(f).mtimeMs > meta.builtAt);
  } catch {
    return true;
  }
}

async function build(spec: WebAppSpec, dist: string): Promise<void> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    if (existsSync(join(dist, META))) return; // stale but usable
    throw new Error(`the web app in ${spec.root} is not built and esbuild is not installed; run \`npm install\` (with dev dependencies)`);
  }
  const builtAt = Date.now();
  const result = await esbuild.build({
    entryPoints: { app: join(spec.root, spec.entry) },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    outdir: dist,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  mkdirSync(dist, { recursive: true });
  // Each file is replaced atomically, so a coordinator starting beside this one never reads half a file.
  for (const f of result.outputFiles) writeFileAtomicSync(f.path, f.contents);
  for (const s of spec.statics) writeFileAtomicSync(join(dist, s.split('/').pop()!), readFileSync(join(spec.root, s)));
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules'))
    .map((f) => resolve(f));
  writeFileAtomicSync(join(dist, META), JSON.stringify({ builtAt, inputs }));
}
