import type { WorkerKind, WorkerView } from '@shardgrad/protocol';

/** Smoothing of the speed estimate: recent rounds dominate, one noisy round does not. */
const SPEED_EMA = 0.3;

export interface PoolMember {
  id: string;
  kind: WorkerKind;
  backend: string;
  nickname?: string;
  threads?: number;
  /** Estimated samples per second, round-trip included. */
  speed: number;
  speedMeasured: boolean;
  /** The weights version this worker holds (or will, once its queued task arrives). */
  version: number;
  busy: number;
  rounds: number;
  samples: number;
  errors: number;
  rejects: Record<string, number>;
  share: number;
  lastSeen: number;
  joinedAt: number;
  send: (event: 'task', payload: unknown) => void;
  disconnect: (reason: string) => void;
}

/** The live set of workers and what the coordinator knows of each; pure bookkeeping, no sockets. */
export class WorkerPool {
  private members = new Map<string, PoolMember>();
  private gone: PoolMember[] = [];

  add(m: Omit<PoolMember, 'speed' | 'speedMeasured' | 'version' | 'busy' | 'rounds' | 'samples' | 'errors' | 'rejects' | 'share' | 'lastSeen' | 'joinedAt'> & { speed?: number }): PoolMember {
    const speed = m.speed ?? this.typicalSpeed();
    const member: PoolMember = {
      ...m,
      speed,
      speedMeasured: false,
      version: -1,
      busy: 0,
      rounds: 0,
      samples: 0,
      errors: 0,
      rejects: {},
      share: 0,
      lastSeen: Date.now(),
      joinedAt: Date.now(),
    };
    this.members.set(m.id, member);
    return member;
  }

  remove(id: string): PoolMember | undefined {
    const m = this.members.get(id);
    if (m) {
      this.members.delete(id);
      this.gone.push(m);
      if (this.gone.length > 200) this.gone.shift();
    }
    return m;
  }

  get(id: string): PoolMember | undefined {
    return this.members.get(id);
  }

  list(): PoolMember[] {
    return [...this.members.values()];
  }

  get size(): number {
    return this.members.size;
  }

  /** A newcomer without a measurement is assumed as fast as the median of its peers. */
  typicalSpeed(): number {
    const s = this.list()
      .filter((m) => m.speedMeasured)
      .map((m) => m.speed)
      .sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)]! : 1000;
  }

  recordSpeed(m: PoolMember, samplesPerSecond: number): void {
    if (!Number.isFinite(samplesPerSecond) || samplesPerSecond <= 0) return;
    m.speed = m.speedMeasured ? (1 - SPEED_EMA) * m.speed + SPEED_EMA * samplesPerSecond : samplesPerSecond;
    m.speedMeasured = true;
  }

  reject(m: PoolMember, reason: string): void {
    m.errors++;
    m.rejects[reason] = (m.rejects[reason] ?? 0) + 1;
  }

  views(): WorkerView[] {
    const live = this.list().map((m) => view(m, m.busy > 0 ? 'busy' : 'idle'));
    return [...live, ...this.gone.slice(-20).map((m) => view(m, 'gone'))];
  }
}

function view(m: PoolMember, status: WorkerView['status']): WorkerView {
  return {
    id: m.id,
    kind: m.kind,
    backend: m.backend,
    nickname: m.nickname,
    samplesPerSecond: Math.round(m.speed),
    share: m.share,
    rounds: m.rounds,
    samples: m.samples,
    errors: m.errors,
    lastSeen: m.lastSeen,
    status,
  };
}
