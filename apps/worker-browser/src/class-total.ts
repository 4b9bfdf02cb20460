/**
 * The class total on the join page: every sample the class has trained, and how many are helping.
 * The coordinator's `/class` namespace pushes ClassStats where the classroom server runs; a plain
 * coordinator has no such namespace, and then the page reads `/api/status` every few seconds.
 */
import { io } from 'socket.io-client';
import type { CLASS_NAMESPACE, ClassStats, ContributionRow, RunState, WorkerView } from '@shardgrad/protocol';

/**
 * The protocol's constant, typed against it (a rename fails to compile) but not imported at run
 * time: the protocol's index also carries zod schemas, which would quadruple the page's script.
 */
const CLASS_NS: typeof CLASS_NAMESPACE = '/class';

export interface ClassTotal {
  samples: number;
  /** Training steps taken so far. */
  steps: number;
  /** Workers connected now. */
  workers: number;
  /** Of which browser tabs, when known. */
  tabs?: number;
  /** Every worker's contribution, most samples first (the leaderboard); only from the class stats. */
  rows?: ContributionRow[];
  /** Whether the run trains, is paused by the teacher, or has ended; only from the class stats. */
  runState?: RunState;
  /** The global batch now (the teacher may change it); only from the class stats. */
  batch?: number;
}

/** How often the status fallback polls: a class total a few seconds old is fine. */
const POLL_MS = 3000;

export function totalFromStatus(body: { version?: number; workers?: WorkerView[] }): ClassTotal {
  const workers = body.workers ?? [];
  const live = workers.filter((w) => w.status !== 'gone');
  return {
    samples: workers.reduce((s, w) => s + w.samples, 0),
    steps: body.version ?? 0,
    workers: live.length,
    tabs: live.filter((w) => w.kind === 'browser').length,
  };
}

export function totalFromClassStats(s: ClassStats): ClassTotal {
  return { samples: s.total.samples, steps: s.step, workers: s.total.workers, rows: s.rows, runState: s.state, batch: s.batch };
}

/** Calls `onTotal` whenever the class total changes; returns a function that stops watching. */
export function watchClassTotal(origin: string, onTotal: (t: ClassTotal) => void): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const poll = async () => {
    try {
      const res = await fetch(`${origin}/api/status`, { cache: 'no-store' });
      if (res.ok) onTotal(totalFromStatus((await res.json()) as Parameters<typeof totalFromStatus>[0]));
    } catch {
      // The coordinator is away for a moment; the next poll will tell.
    }
  };
  // Its own connection: pausing the worker socket must not silence the class total.
  const socket = io(`${origin}${CLASS_NS}`, { transports: ['websocket'], forceNew: true });
  socket.on('class', (s: ClassStats) => onTotal(totalFromClassStats(s)));
  // A new run drops every socket; this one only watches, so it simply comes back.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', (e) => {
    if (!/invalid namespace/i.test(e.message) || timer) return;
    socket.close();
    void poll();
    timer = setInterval(() => void poll(), POLL_MS);
  });
  return () => {
    socket.close();
    if (timer) clearInterval(timer);
  };
}
