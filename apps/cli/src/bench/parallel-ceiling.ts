import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SHARDGRAD_NODE_FLAGS } from '../launch/bin.ts';

const PROBE = fileURLToPath(new URL('./engine-probe.mjs', import.meta.url));

interface ProbeResult {
  batch: number;
  calls: number;
  msPerCall: number;
}

/** A probe process: `ready` once it has warmed up, `result` once it has timed its seconds. */
function startProbe(model: string, shard: number, seconds: number) {
  const child = spawn(process.execPath, [...SHARDGRAD_NODE_FLAGS, PROBE, model, String(shard), String(seconds)], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const result = new Promise<ProbeResult>((done, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { ready?: boolean } & ProbeResult;
      if (msg.ready) markReady();
      else done(msg);
    });
    child.on('exit', (code) => fail(new Error(`engine probe exited with code ${code} before reporting`)));
  });
  // Killed in cleanup after another probe failed: nobody awaits this one any more.
  result.catch(() => undefined);
  // A probe that dies before it is ready must not leave the others waiting for it.
  return { child, ready: Promise.race([ready, result.then(() => undefined)]), result };
}

/**
 * Engine probes started together: each loads, warms up and reports ready; then all get "go" at
 * once and time the same seconds. Each runs in a session of its own, as the fleet's workers do.
 */
async function runProbes(model: string, shards: number[], seconds: number): Promise<ProbeResult[]> {
  const probes = shards.map((b) => startProbe(model, b, seconds));
  try {
    await Promise.all(probes.map((p) => p.ready));
    for (const p of probes) p.child.stdin!.write('go\n');
    return await Promise.all(probes.map((p) => p.result));
  } finally {
    for (const p of probes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}

export interface CeilingFigures {
  batch: number;
  /** One engine, the whole batch per call, alone on the machine. */
  wholeMs: number;
  /** One engine, half the batch per call, alone: wholeMs / halfMs is what halving the work saves. */
  halfMs: number;
  /** Two engines at once, half the batch each: a round waits for the slower. */
  pairMs: number;
  /**
   * wholeMs / pairMs: the most two workers can gain over one at this batch on this machine, with
   * no coordinator and no network at all. No real cluster can beat it.
   */
  ceiling: number;
  /** wholeMs / halfMs: the ceiling were the two cores not to slow each other. */
  fixedCostCeiling: number;
}

/** What splitting a batch over two workers can gain here at best: engines only, alone and in pairs. */
export async function parallelCeiling(model: string, batch: number, seconds = 4): Promise<CeilingFigures> {
  const half = Math.ceil(batch / 2);
  const [whole] = await runProbes(model, [batch], seconds);
  const [alone] = await runProbes(model, [half], seconds);
  const pair = await runProbes(model, [half, half], seconds);
  const pairMs = Math.max(...pair.map((p) => p.msPerCall));
  return {
    batch,
    wholeMs: whole!.msPerCall,
    halfMs: alone!.msPerCall,
    pairMs,
    ceiling: whole!.msPerCall / pairMs,
    fixedCostCeiling: whole!.msPerCall / alone!.msPerCall,
  };
}
