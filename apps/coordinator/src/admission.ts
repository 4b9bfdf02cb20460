import type { IncomingMessage } from 'node:http';
import type { Hello, RejectReason, WorkerRole } from '@shardgrad/protocol';
import type { ClassroomAuth } from './auth.ts';
import { TokenBucket } from './token-bucket.ts';

export interface AdmissionOptions {
  /** Tokens and codes to check at hello; without it anyone who can reach the port may join. */
  auth?: ClassroomAuth;
  /**
   * Origins (scheme://host:port) whose pages may open a socket, besides the coordinator's own. A
   * browser always sends Origin; Node workers send none and are judged by their token alone.
   */
  allowedOrigins?: string[];
  /** Live students' tabs from one address. Schools put a class behind one NAT, so this is generous. */
  maxTabsPerIp?: number;
  /** Live tabs under one nickname: a student opening ten tabs of themselves. */
  maxTabsPerNickname?: number;
  /** Control messages (hello, ready, leave, anything unknown) per socket: burst, then per second. */
  controlBurst?: number;
  controlPerSecond?: number;
  /** Failed hellos (wrong code or token) allowed per address per minute, against guessing the code. */
  failedHellosPerMinute?: number;
  /** Refused submissions (faults, not late copies) a worker may make before it is dropped. */
  maxStrikes?: number;
  /** How long an admitted worker may take between hello and ready (default READY_TIMEOUT_MS, worker-session.ts). */
  readyTimeoutMs?: number;
}

export const ADMISSION_DEFAULTS = {
  maxTabsPerIp: 64,
  maxTabsPerNickname: 3,
  controlBurst: 20,
  controlPerSecond: 5,
  failedHellosPerMinute: 20,
  maxStrikes: 5,
} as const;

export type AdmitVerdict =
  | {
      ok: true;
      role: WorkerRole;
      release: () => void;
      /** It was dropped for its strikes: it may not join again from its address, under its name, for a while. */
      bench: () => void;
    }
  | { ok: false; reason: RejectReason; message: string };

/** The first time out after a drop for strikes; each further drop doubles it, up to BENCH_MAX_MS. */
export const BENCH_FIRST_MS = 60_000;
export const BENCH_MAX_MS = 15 * 60_000;

/**
 * Who may join and how much they may say: the hello's token against the classroom's secrets, the
 * page's Origin, caps on tabs per address and per nickname, and rate limits on control messages and
 * on failed hellos. Worker nodes (worker token) are not capped: an operator starts them on purpose.
 */
export class Admission {
  private opts: AdmissionOptions = {};
  private tabsByIp = new Map<string, number>();
  private tabsByNick = new Map<string, number>();
  private failures = new Map<string, TokenBucket>();
  /**
   * Workers dropped for their strikes, by address and nickname: without this one rejoins at once
   * with the same code or token as a new worker with a clean record, and costs the class the same
   * refused rounds again. Keyed by name as well as address, so one student's broken tab behind a
   * school's NAT benches that student, not the class.
   */
  private benched = new Map<string, { until: number; times: number }>();

  constructor(opts: AdmissionOptions = {}) {
    this.configure(opts);
  }

  configure(opts: AdmissionOptions): void {
    this.opts = { ...this.opts, ...opts };
  }

  get auth(): ClassroomAuth | undefined {
    return this.opts.auth;
  }

  get maxStrikes(): number {
    return this.opts.maxStrikes ?? ADMISSION_DEFAULTS.maxStrikes;
  }

  /** Undefined: the session's default. */
  get readyTimeoutMs(): number | undefined {
    return this.opts.readyTimeoutMs;
  }

  /** engine.io's allowRequest: refuses a cross-origin page that is not on the list before any socket exists. */
  allowRequest(req: IncomingMessage, cb: (err: string | null | undefined, ok: boolean) => void): void {
    const origin = req.headers.origin;
    if (!origin || this.originAllowed(origin, req.headers.host)) return cb(null, true);
    cb(`origin ${origin} may not connect`, false);
  }

  originAllowed(origin: string, host: string | undefined): boolean {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    if (host && u.host === host) return true;
    return (this.opts.allowedOrigins ?? []).some((o) => {
      try {
        return new URL(o).origin === u.origin;
      } catch {
        return false;
      }
    });
  }

  /** A control message from a socket: false once it has used its burst faster than the refill. */
  controlLimiter(): TokenBucket {
    return new TokenBucket(this.opts.controlBurst ?? ADMISSION_DEFAULTS.controlBurst, this.opts.controlPerSecond ?? ADMISSION_DEFAULTS.controlPerSecond);
  }

  /**
   * Checks a (schema-valid) hello from `ip`. On success the caller must call `release` when the
   * socket goes, so its tab no longer counts. A resumed worker keeps the role it had.
   */
  admit(hello: Hello, ip: string, resumedRole?: WorkerRole): AdmitVerdict {
    // The lockout is against guessing the short join code. A worker token or a resume key (192 bits,
    // checked before this) cannot be guessed, so they still get in: behind a school's NAT one student
    // typing wrong codes would otherwise shut out the GPU nodes and every tab coming back.
    const failures = this.failures.get(ip);
    const unguessable = resumedRole !== undefined || this.opts.auth?.roleOf(hello.token) === 'worker';
    if (failures && failures.empty() && !unguessable) {
      return { ok: false, reason: 'rate-limited', message: 'too many wrong codes from this address; wait a minute' };
    }
    let role: WorkerRole;
    if (resumedRole) role = resumedRole;
    else if (!this.opts.auth) role = 'open';
    else {
      const r = this.opts.auth.roleOf(hello.token);
      if (!r) {
        this.failed(ip);
        return { ok: false, reason: 'unauthorized', message: hello.token ? 'wrong join code or worker token' : 'a join code or worker token is needed to join' };
      }
      role = r;
    }
    const nick = hello.nickname?.trim().toLowerCase();
    const benchKey = `${ip}\n${nick ?? ''}`;
    const benched = this.benched.get(benchKey);
    if (benched && benched.until > Date.now()) {
      const s = Math.ceil((benched.until - Date.now()) / 1000);
      return { ok: false, reason: 'struck-out', message: `dropped for refused results${nick ? ` under the name "${hello.nickname}"` : ''}; it may join again in ${s} s` };
    }
    const bench = () => this.bench(benchKey);
    if (role === 'worker') return { ok: true, role, release: () => undefined, bench };
    const maxIp = this.opts.maxTabsPerIp ?? ADMISSION_DEFAULTS.maxTabsPerIp;
    const maxNick = this.opts.maxTabsPerNickname ?? ADMISSION_DEFAULTS.maxTabsPerNickname;
    if ((this.tabsByIp.get(ip) ?? 0) >= maxIp) {
      return { ok: false, reason: 'too-many-tabs', message: `${maxIp} tabs from this address already train; close one first` };
    }
    if (nick && (this.tabsByNick.get(nick) ?? 0) >= maxNick) {
      return { ok: false, reason: 'too-many-tabs', message: `${maxNick} tabs named "${hello.nickname}" already train; close one first` };
    }
    bump(this.tabsByIp, ip, 1);
    if (nick) bump(this.tabsByNick, nick, 1);
    let released = false;
    return {
      ok: true,
      role,
      bench,
      release: () => {
        if (released) return;
        released = true;
        bump(this.tabsByIp, ip, -1);
        if (nick) bump(this.tabsByNick, nick, -1);
      },
    };
  }

  private bench(key: string): void {
    const times = (this.benched.get(key)?.times ?? 0) + 1;
    this.benched.set(key, { times, until: Date.now() + Math.min(BENCH_MAX_MS, BENCH_FIRST_MS * 2 ** (times - 1)) });
    // Bounded like the failures: the oldest entry goes first.
    if (this.benched.size > 10_000) this.benched.delete(this.benched.keys().next().value!);
  }

  private failed(ip: string): void {
    let b = this.failures.get(ip);
    if (!b) {
      const perMinute = this.opts.failedHellosPerMinute ?? ADMISSION_DEFAULTS.failedHellosPerMinute;
      b = new TokenBucket(perMinute, perMinute / 60);
      this.failures.set(ip, b);
      // Forget quiet addresses so a scan of many addresses cannot grow this map without bound.
      if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
    }
    b.take();
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const v = (m.get(key) ?? 0) + by;
  if (v <= 0) m.delete(key);
  else m.set(key, v);
}
