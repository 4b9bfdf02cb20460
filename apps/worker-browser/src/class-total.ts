/**
 * The class total on the join page: every sample the class has trained, and how many are helping.
 * The coordinator's `/class` namespace pushes ClassStats where the classroom server runs; a plain
 * coordinator has no such namespace, and then the page reads `/api/status` every few seconds.
 */
import { io } from 'socket.io-client';
import type { CLASS_NAMESPACE, ClassStats, ContributionRow, RunState, WorkersWaitedFor, WorkerView } from '@shardgrad/protocol';

/**
 * The protocol's constant, typed against it (a rename fails to compile) but not imported at run
 * time: the protocol's index also carries zod schemas, which would quadruple the page's script.
 */
const CLASS_NS: typeof CLASS_NAMESPACE = '/class';

export interface ClassTotal {
  /** The run these numbers are for. */
  runId?: string;
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
  /** What the run waits for before it can start (`--min-workers`), while it waits; only from the class stats. */
  waitingFor?: WorkersWaitedFor;
  /**
   * The class server cannot be reached: these are its last numbers, with nobody counted as
   * connected, since nobody can be training with it.
   */
  offline?: boolean;
}

/** How often the status fallback polls: a class total a few seconds old is fine. */
const POLL_MS = 3000;

export function totalFromStatus(body: { run?: { runId?: string }; version?: number; workers?: WorkerView[] }): ClassTotal {
  const workers = body.workers ?? [];
  const live = workers.filter((w) => w.status !== 'gone');
  return {
    runId: body.run?.runId,
    samples: workers.reduce((s, w) => s + w.samples, 0),
    steps: body.version ?? 0,
    workers: live.length,
    tabs: live.filter((w) => w.kind === 'browser').length,
  };
}

export function totalFromClassStats(s: ClassStats): ClassTotal {
  return {
    runId: s.runId,
    samples: s.total.samples,
    steps: s.step,
    workers: s.total.workers,
    rows: s.rows,
    runState: s.state,
    batch: s.batch,
    ...(s.waitingFor && { waitingFor: s.waitingFor }),
  };
}

/** The last numbers of a class server that went away: its work stays, but nobody is training with it now. */
export function offlineTotal(last: ClassTotal | undefined): ClassTotal {
  const t = last ?? { samples: 0, steps: 0, workers: 0 };
  return { ...t, workers: 0, ...(t.tabs !== undefined && { tabs: 0 }), rows: t.rows?.map((r) => ({ ...r, live: false })), waitingFor: undefined, offline: true };
}

/** What the page knows of its own work in the run it is in (session.ts TabSnapshot). */
export interface OwnWork {
  workerId?: string;
  runId?: string;
  samples: number;
  rounds: number;
}

/**
 * The class total with this tab's row brought up to its own count. Both count the same accepted
 * results of this worker in this run, but the class stats come every half second and the tab's count
 * with each acknowledgement: drawn side by side, "this tab", its leaderboard row and the class total
 * must agree, so the fresher number is used in all three. A count the coordinator has and the tab
 * missed (an acknowledgement lost in a reconnection) is the class stats' larger number, kept as is.
 */
export function withOwnWork(t: ClassTotal, own: OwnWork): ClassTotal {
  const row = own.runId !== undefined && own.runId === t.runId ? t.rows?.find((r) => r.workerId === own.workerId) : undefined;
  if (!row || row.samples >= own.samples) return t;
  const mine = { ...row, samples: own.samples, rounds: Math.max(row.rounds, own.rounds) };
  const rows = t.rows!.map((r) => (r === row ? mine : r)).sort((a, b) => b.samples - a.samples || a.nickname.localeCompare(b.nickname));
  return { ...t, samples: t.samples + own.samples - row.samples, rows };
}

/** This tab's work in the run it is in: its own count, or its leaderboard row's where that is ahead. */
export function ownCounts(t: ClassTotal | undefined, own: OwnWork): { samples: number; rounds: number } {
  const row = t && own.runId === t.runId ? t.rows?.find((r) => r.workerId === own.workerId) : undefined;
  return row && row.samples > own.samples ? { samples: row.samples, rounds: row.rounds } : { samples: own.samples, rounds: own.rounds };
}

/**
 * Whether a tab that finished at the end of `finished.runId` should join again: the class server
 * answers with a run that takes workers, and it is another run or the server restarted meanwhile
 * (late news of the run that just ended must not bring the tab back into it).
 */
export function joinableAgain(finished: { runId?: string; serverWasGone: boolean }, t: ClassTotal): boolean {
  if (t.offline || t.runState === 'finished' || t.runState === 'stopping') return false;
  return t.runId !== undefined && (t.runId !== finished.runId || finished.serverWasGone);
}

/** Calls `onTotal` whenever the class total changes; returns a function that stops watching. */
export function watchClassTotal(origin: string, onTotal: (t: ClassTotal) => void): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let last: ClassTotal | undefined;
  const show = (t: ClassTotal) => onTotal((last = t));
  const away = () => {
    if (!last?.offline) show(offlineTotal(last));
  };
  const poll = async () => {
    try {
      const res = await fetch(`${origin}/api/status`, { cache: 'no-store' });
      if (res.ok) show(totalFromStatus((await res.json()) as Parameters<typeof totalFromStatus>[0]));
      else away();
    } catch {
      away(); // the next poll tells when it is back
    }
  };
  // Its own connection: pausing the worker socket must not silence the class total.
  const socket = io(`${origin}${CLASS_NS}`, { transports: ['websocket'], forceNew: true, reconnectionDelayMax: 5000 });
  socket.on('class', (s: ClassStats) => show(totalFromClassStats(s)));
  socket.on('disconnect', (reason) => {
    // A new run drops every socket; this one only watches, so it simply comes back.
    if (reason === 'io server disconnect') socket.connect();
    // The class server went away (stopped, restarted, network): its numbers are no longer live.
    else if (reason !== 'io client disconnect') away();
  });
  socket.on('connect_error', (e) => {
    if (!/invalid namespace/i.test(e.message)) return away();
    if (timer) return;
    socket.close();
    void poll();
    timer = setInterval(() => void poll(), POLL_MS);
  });
  return () => {
    socket.close();
    if (timer) clearInterval(timer);
  };
}
