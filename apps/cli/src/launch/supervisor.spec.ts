import { describe, expect, it } from 'vitest';
import { exitStatus, isCrash, SupervisedProcess } from './supervisor.ts';

/** A plain `node -e` child: starts in milliseconds, so the restart policy is tested on real processes. */
function supervise(script: string, maxRestarts: number, env: NodeJS.ProcessEnv = {}) {
  const starts: number[] = [];
  const exits: { code: number | null; signal: string | null; restarting: boolean }[] = [];
  const p = new SupervisedProcess({
    command: process.execPath,
    args: ['-e', script],
    env: { ...process.env, ...env },
    maxRestarts,
    stdio: 'ignore',
    onStart: (_c, attempt) => starts.push(attempt),
    onExit: (exit, restarting) => exits.push({ ...exit, restarting }),
  });
  return { p, starts, exits };
}

describe('SupervisedProcess', () => {
  it('restarts a crashing process up to maxRestarts times, then reports the failure', async () => {
    const { p, starts, exits } = supervise('process.exit(3)', 2);
    const outcome = await p.done;
    expect(starts).toEqual([0, 1, 2]);
    expect(exits.map((e) => e.restarting)).toEqual([true, true, false]);
    expect(outcome).toMatchObject({ code: 3, signal: null, restarts: 2, ok: false });
  });

  it('does not restart a clean exit', async () => {
    const { p, starts } = supervise('process.exit(0)', 5);
    expect(await p.done).toMatchObject({ code: 0, restarts: 0, ok: true });
    expect(starts).toEqual([0]);
  });

  it('does not restart a usage error (exit 2): the same flags would fail again', async () => {
    const { p, starts } = supervise('process.exit(2)', 5);
    expect(await p.done).toMatchObject({ code: 2, ok: false });
    expect(starts).toEqual([0]);
  });

  it('restarts a process killed by a signal, and the restart can succeed', async () => {
    // The first attempt kills itself; the second sees the marker file and exits cleanly.
    const marker = `/tmp/shardgrad-supervisor-${process.pid}-${Date.now()}`;
    const script = `const fs=require('fs');if(fs.existsSync(${JSON.stringify(marker)})){fs.rmSync(${JSON.stringify(marker)});process.exit(0)}fs.writeFileSync(${JSON.stringify(marker)},'');process.kill(process.pid,'SIGKILL')`;
    const { p, exits } = supervise(script, 1);
    const outcome = await p.done;
    expect(exits[0]).toMatchObject({ signal: 'SIGKILL', restarting: true });
    expect(outcome).toMatchObject({ code: 0, restarts: 1, ok: true });
  });

  it('stop() ends the process and allows no restart', async () => {
    const { p, starts } = supervise('setInterval(() => {}, 1000)', 5);
    // Stop once the child runs: onStart has fired synchronously in the constructor.
    p.stop('SIGTERM');
    const outcome = await p.done;
    expect(outcome).toMatchObject({ signal: 'SIGTERM', restarts: 0, ok: true });
    expect(starts).toEqual([0]);
  });
});

describe('exit status', () => {
  it("follows the shell: the code, or 128 + the signal's number", () => {
    expect(exitStatus({ code: 0, signal: null })).toBe(0);
    expect(exitStatus({ code: 7, signal: null })).toBe(7);
    expect(exitStatus({ code: null, signal: 'SIGTERM' })).toBe(143);
    expect(exitStatus({ code: null, signal: 'SIGKILL' })).toBe(137);
  });

  it('counts signals and failures other than a usage error or a requested stop as crashes', () => {
    expect(isCrash({ code: null, signal: 'SIGSEGV' })).toBe(true);
    expect(isCrash({ code: 1, signal: null })).toBe(true);
    expect(isCrash({ code: 2, signal: null })).toBe(false);
    expect(isCrash({ code: 0, signal: null })).toBe(false);
    // It took SIGTERM or Ctrl-C and stopped as asked: not a crash to undo.
    expect(isCrash({ code: 143, signal: null })).toBe(false);
    expect(isCrash({ code: 130, signal: null })).toBe(false);
  });
});
