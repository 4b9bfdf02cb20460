import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, nextEvent } from '@shardgrad/coordinator';
import { shardgradArgv } from '../../apps/cli/src/launch/bin.ts';

/** Running, not a zombie: an orphan's exit status waits for whoever adopted it to collect it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

it('a local worker leaves when the process that started it is killed outright', async () => {
  await initNodeBackend('wasm');
  const c = await createCoordinator({ model: 'mnist-mlp', port: 0 });
  // A parent that starts one worker the way train and sweep do, prints its pid, and waits.
  const argv = shardgradArgv('worker', '--url', c.url, '--backend', 'cpu', '--exit-with-parent', '--json').map((a) => `'${a}'`).join(' ');
  const parent = spawn('bash', ['-c', `'${process.execPath}' ${argv} >/dev/null 2>&1 & echo $!; wait`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const workerPid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    await nextEvent(c, 'worker-joined');
    parent.kill('SIGKILL');
    for (let i = 0; i < 100 && alive(workerPid); i++) await new Promise((r) => setTimeout(r, 200));
    expect(alive(workerPid)).toBe(false);
  } finally {
    parent.kill('SIGKILL');
    await c.close();
  }
}, 60_000);
