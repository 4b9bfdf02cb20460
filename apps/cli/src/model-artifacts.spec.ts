import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from './images/png.ts';
import { writeArtifacts } from './model-artifacts.ts';

describe('writing model artifacts', () => {
  it('writes images as PNG and text as is, creating folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardgrad-artifacts-'));
    const written = await writeArtifacts(dir, [
      { file: 'a.png', description: 'img', kind: 'image', image: { width: 4, height: 3, data: new Uint8ClampedArray(48).fill(200) } },
      { file: 'projector/vectors.tsv', description: 'tsv', kind: 'text', text: '1\t2\n' },
    ]);
    expect(written.map((w) => w.path)).toEqual([join(dir, 'a.png'), join(dir, 'projector/vectors.tsv')]);
    const img = decodePng(readFileSync(join(dir, 'a.png')));
    expect([img.width, img.height, img.data[0]]).toEqual([4, 3, 200]);
    expect(readFileSync(join(dir, 'projector/vectors.tsv'), 'utf8')).toBe('1\t2\n');
  });

  it('refuses a file name that leaves the run directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardgrad-artifacts-'));
    await expect(writeArtifacts(dir, [{ file: '../escape.tsv', description: '', kind: 'text', text: '' }])).rejects.toThrow(/leaves the run directory/);
    await expect(writeArtifacts(dir, [{ file: '/etc/x.tsv', description: '', kind: 'text', text: '' }])).rejects.toThrow(/leaves the run directory/);
  });
});
