import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { Artifact, ModelContext, ModelDefinition } from '@shardgrad/models';
import { encodePng } from './images/png.ts';

export interface WrittenArtifact {
  path: string;
  description: string;
}

/** Writes what a model produces to look at (ModelDefinition.artifacts) under `dir`. */
export async function writeArtifacts(dir: string, artifacts: readonly Artifact[]): Promise<WrittenArtifact[]> {
  const written: WrittenArtifact[] = [];
  for (const a of artifacts) {
    // A model names files relative to the run directory; never let one climb out of it.
    const rel = normalize(a.file);
    if (rel.startsWith('..') || rel.startsWith('/')) throw new Error(`artifact path "${a.file}" leaves the run directory`);
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, a.kind === 'image' ? encodePng(a.image) : a.text);
    written.push({ path, description: a.description });
  }
  return written;
}

/** The model's artifacts for a trained model, written to the run directory; none for models without the hook. */
export async function writeModelArtifacts(def: ModelDefinition, ctx: ModelContext, dir: string): Promise<WrittenArtifact[]> {
  return def.artifacts ? writeArtifacts(dir, def.artifacts(ctx)) : [];
}
