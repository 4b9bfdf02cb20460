/**
 * Reads what deploy/ holds the way the engines would: compose.yaml, the Kubernetes base and its
 * overlays (rendered by applying the overlay's images and JSON 6902 patches), and the Dockerfiles.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type JSONInstruction, type Property } from 'dockerfile-ast';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const K8S_BASE = join(DEPLOY, 'k8s', 'base');
export const K8S_OVERLAYS = join(DEPLOY, 'k8s', 'overlays');

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function readYaml(path: string): Json {
  return parse(readFileSync(path, 'utf8')) as Json;
}

export function loadCompose(): Json {
  return readYaml(join(DEPLOY, 'compose.yaml'));
}

/**
 * Compose's variable interpolation for the forms compose.yaml uses (`${VAR:-default}`,
 * `${VAR:?error}`, `${VAR}`), with `vars` standing in for the shell environment.
 */
export function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (op === ':?') throw new Error(`compose would stop: ${name}: ${arg}`);
    return op === ':-' ? arg! : '';
  });
}

const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'labels', 'images', 'patches']);

function readKustomization(dir: string): Json {
  const k = readYaml(join(dir, 'kustomization.yaml'));
  const unknown = Object.keys(k).filter((key) => !KUSTOMIZATION_KEYS.has(key));
  // This reader implements only these fields; a new one must be taught here before tests trust it.
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml uses fields this test does not render: ${unknown.join(', ')}`);
  return k;
}

/** Renders a kustomization directory: its resources (files or other kustomizations), then its transforms. */
export function renderKustomization(dir: string): Json[] {
  const k = readKustomization(dir);
  const objects: Json[] = [];
  for (const r of k.resources as string[]) {
    const path = join(dir, r);
    if (r.endsWith('.yaml') || r.endsWith('.yml')) {
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
        const o = doc.toJS() as Json | null;
        if (o) objects.push(o);
      }
    } else {
      objects.push(...renderKustomization(path));
    }
  }
  for (const l of (k.labels ?? []) as { pairs: Record<string, string> }[]) {
    for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
  }
  for (const img of (k.images ?? []) as { name: string; newName?: string; newTag?: string }[]) {
    for (const c of objects.flatMap(containersOf)) {
      const [name, tag] = splitImage(c.image as string);
      if (name === img.name) c.image = `${img.newName ?? name}:${img.newTag ?? tag}`;
    }
  }
  for (const p of (k.patches ?? []) as { target: { kind: string; name: string }; patch: string }[]) {
    const target = objects.find((o) => o.kind === p.target.kind && o.metadata.name === p.target.name);
    if (!target) throw new Error(`${dir}: patch target ${p.target.kind}/${p.target.name} not found`);
    const ops = parse(p.patch) as Operation[];
    // validate=true: a path that does not exist fails here, as it fails in kustomize.
    fastJsonPatch.applyPatch(target, ops, true, true);
  }
  return objects;
}

export function overlayDirs(): string[] {
  return readdirSync(K8S_OVERLAYS, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(K8S_OVERLAYS, e.name));
}

function splitImage(image: string): [string, string] {
  const i = image.lastIndexOf(':');
  return i > image.lastIndexOf('/') ? [image.slice(0, i), image.slice(i + 1)] : [image, 'latest'];
}

export function podSpecOf(o: Json): Json | undefined {
  return o.spec?.template?.spec;
}

export function containersOf(o: Json): Json[] {
  return (podSpecOf(o)?.containers ?? []) as Json[];
}

export function find(objects: Json[], kind: string, name: string): Json {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
}

/** What a container runs: its command, else the image's CMD given as args (the ENTRYPOINT stays then). */
export function argvOf(container: Json): string[] {
  return (container.command ?? container.args ?? []) as string[];
}

/**
 * An image path (under its WORKDIR, /app) as a path in this checkout, where `COPY . .` took it from:
 * the tests run the images' entrypoints from here.
 */
export function inCheckout(imagePath: string, workdir = '/app'): string {
  return imagePath.startsWith(`${workdir}/`) ? join(ROOT, imagePath.slice(workdir.length + 1)) : imagePath;
}

/** A container's plain env values (valueFrom entries map to undefined). */
export function envOf(container: Json): Record<string, string | undefined> {
  return Object.fromEntries(((container.env ?? []) as Json[]).map((e) => [e.name as string, e.value as string | undefined]));
}

export interface DockerfileFacts {
  path: string;
  text: string;
  /** Images of every FROM, stages included; the last one is the image that ships. */
  from: string[];
  env: Record<string, string>;
  workdir: string | undefined;
  expose: number[];
  run: string[];
  cmd: string[];
  /** ENTRYPOINT in the exec form; empty when the image has none. */
  entrypoint: string[];
  healthcheck: string[] | undefined;
}

export function dockerfileNames(): string[] {
  return readdirSync(join(DEPLOY, 'docker')).filter((f) => f.endsWith('.Dockerfile'));
}

export function readDockerfile(name: string): DockerfileFacts {
  const path = join(DEPLOY, 'docker', name);
  const text = readFileSync(path, 'utf8');
  const facts: DockerfileFacts = { path, text, from: [], env: {}, workdir: undefined, expose: [], run: [], cmd: [], entrypoint: [], healthcheck: undefined };
  for (const i of DockerfileParser.parse(text).getInstructions()) {
    const args = i.getArgumentsContent() ?? '';
    switch (i.getKeyword()) {
      case 'FROM':
        facts.from.push((i as unknown as { getImage(): string }).getImage());
        break;
      case 'ENV':
        for (const p of (i as unknown as { getProperties(): Property[] }).getProperties()) facts.env[p.getName()] = p.getValue() ?? '';
        break;
      case 'WORKDIR':
        facts.workdir = args;
        break;
      case 'EXPOSE':
        facts.expose.push(...args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
        break;
      case 'RUN':
        facts.run.push(args.replace(/\\\n/g, ' ').replace(/\s+/g, ' '));
        break;
      case 'CMD':
        facts.cmd = (i as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
        break;
      case 'ENTRYPOINT':
        facts.entrypoint = (i as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
        break;
      case 'HEALTHCHECK': {
        // The exec form after the flags: HEALTHCHECK [--flag=v ...] CMD ["a", "b"].
        const m = /CMD\s+(\[.*\])\s*$/s.exec(args.replace(/\\\n/g, ' '));
        if (!m) throw new Error(`${name}: HEALTHCHECK must use the exec form CMD [...]`);
        facts.healthcheck = JSON.parse(m[1]!) as string[];
        break;
      }
    }
  }
  return facts;
}
