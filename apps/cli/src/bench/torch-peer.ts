import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PeerFigure {
  peer: string;
  model: string;
  batch: number;
  threads: number;
  samples_per_s: number;
}

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** The peer lives in shared/ beside the repository, as DEVELOPERS.md lays it out. */
export const TORCH_PEER = resolve(REPO, '../shared/peers/torch_peer.py');

/** Runs the PyTorch peer (Debian's python3-torch); returns [] when it cannot run here. */
export function runTorchPeer(models: string[], batch: number, threads: number): Promise<PeerFigure[]> {
  if (!existsSync(TORCH_PEER)) return Promise.resolve([]);
  return new Promise((done) => {
    execFile('/usr/bin/python3', [TORCH_PEER, '--models', models.join(','), '--batch', String(batch), '--threads', String(threads)], { timeout: 600_000 }, (err, stdout) => {
      if (err) return done([]);
      done(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PeerFigure));
    });
  });
}
