import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  fn: string;
  ms: number;
  share: number;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))));
}

/**
 * Runs `work` under V8's sampling profiler (in-process, through the inspector) and returns the
 * functions with the most self time: where a step's CPU goes when the GPU's kernels do not explain it.
 */
export async function cpuSelfTimes(work: () => Promise<void>, top = 15): Promise<{ totalMs: number; functions: SelfTime[] }> {
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
    await post(session, 'Profiler.start');
    await work();
    const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, ProfileNode>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const name = (n: ProfileNode) => {
      const { functionName, url, lineNumber } = n.callFrame;
      return url ? `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}` : functionName || '(anonymous)';
    };
    // Native frames (Dawn's calls, say) are named with the script function that called them.
    const label = (n: ProfileNode) => {
      if (n.callFrame.url || n.callFrame.functionName.startsWith('(')) return name(n);
      const caller = parent.get(n.id);
      return caller ? `${name(n)} <- ${name(caller)}` : name(n);
    };
    const self = new Map<string, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const node = byId.get(samples[i]!);
      if (!node) continue;
      const key = label(node);
      self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
    }
    const totalMs = (profile.endTime - profile.startTime) / 1000;
    const functions = [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: +ms.toFixed(2), share: +(ms / totalMs).toFixed(3) }));
    return { totalMs: +totalMs.toFixed(1), functions };
  } finally {
    session.disconnect();
  }
}
