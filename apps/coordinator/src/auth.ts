import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Letters and digits nobody misreads on a projector: no 0/O, 1/I/L. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const JOIN_CODE_LENGTH = 6;

/** A token long enough that guessing it over HTTP is hopeless (192 bits), URL-safe. */
export function createTeacherToken(): string {
  return randomBytes(24).toString('base64url');
}

export function createJoinCode(): string {
  return Array.from({ length: JOIN_CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

export interface ClassroomAuthOptions {
  /** The teacher's token; generated when absent. */
  teacherToken?: string;
  /** The class's join code; generated when absent. */
  joinCode?: string;
  /** What worker nodes (GPU machines, `shardgrad worker`) present; generated when absent. */
  workerToken?: string;
}

/** The three secrets, each rotatable on its own. */
export type SecretKind = 'teacher-token' | 'join-code' | 'worker-token';

/** Who a hello's token says the peer is: a worker node or a student's tab. */
export type AuthRole = 'worker' | 'student';

/** A token or join code given in the settings that is too weak or malformed to guard anything. */
export class AuthSettingsError extends Error {
  override name = 'AuthSettingsError';
}

const MIN_TOKEN_LENGTH = 16;
const HOW_TO_MAKE_A_TOKEN = 'make one with `openssl rand -hex 24`';
/** Text of the placeholders shipped in deploy/k8s/base/secret.yaml: applying them as-is would publish the tokens. */
const PLACEHOLDER_MARK = 'replace-me';

/** Refuses a given token that is short, a shipped placeholder, or one character repeated. */
export function checkGivenToken(role: 'teacher' | 'worker' | 'metrics', token: string | undefined): void {
  if (token === undefined) return;
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new AuthSettingsError(`the ${role} token must be at least ${MIN_TOKEN_LENGTH} characters long; ${HOW_TO_MAKE_A_TOKEN}`);
  }
  if (token.toLowerCase().includes(PLACEHOLDER_MARK)) {
    throw new AuthSettingsError(`the ${role} token is still the shipped placeholder ("${PLACEHOLDER_MARK}…"), which anyone can read; ${HOW_TO_MAKE_A_TOKEN}`);
  }
  if (new Set(token).size === 1) {
    throw new AuthSettingsError(`the ${role} token is one character repeated, which is easy to guess; ${HOW_TO_MAKE_A_TOKEN}`);
  }
}

/**
 * Who may do what in a classroom. The teacher's token guards the run controls; the join code is
 * what students type. (Enforcing the code at hello, and per-worker tokens, belong to the trust work
 * and extend this class.)
 */
export class ClassroomAuth {
  private secrets: Record<SecretKind, string>;

  constructor(opts: ClassroomAuthOptions = {}) {
    checkGivenToken('teacher', opts.teacherToken);
    checkGivenToken('worker', opts.workerToken);
    if (opts.joinCode !== undefined && !/^[A-Za-z0-9]{4,32}$/.test(opts.joinCode)) {
      throw new AuthSettingsError('the join code must be 4 to 32 letters or digits');
    }
    this.secrets = {
      'teacher-token': opts.teacherToken ?? createTeacherToken(),
      'join-code': (opts.joinCode ?? createJoinCode()).toUpperCase(),
      'worker-token': opts.workerToken ?? createTeacherToken(),
    };
    // One leaked secret must not grant both roles (a worker node would hold the run controls).
    if (this.secrets['worker-token'] === this.secrets['teacher-token']) {
      throw new AuthSettingsError(`the worker token must differ from the teacher token; ${HOW_TO_MAKE_A_TOKEN}`);
    }
  }

  get teacherToken(): string {
    return this.secrets['teacher-token'];
  }

  get joinCode(): string {
    return this.secrets['join-code'];
  }

  get workerToken(): string {
    return this.secrets['worker-token'];
  }

  /**
   * Replaces one secret with a fresh random one and returns it. Peers already admitted stay (a
   * worker that drops comes back with its resume key, not the old secret); new joins need the new one.
   */
  rotate(kind: SecretKind): string {
    this.secrets[kind] = kind === 'join-code' ? createJoinCode() : createTeacherToken();
    return this.secrets[kind];
  }

  /** The role a hello's token grants, if any. Join codes are typed by people, so case does not matter. */
  roleOf(token: string | undefined): AuthRole | undefined {
    if (!token) return undefined;
    if (sameSecret(token, this.workerToken)) return 'worker';
    if (sameSecret(token.toUpperCase(), this.joinCode)) return 'student';
    return undefined;
  }

  /** True when the request carries the teacher's token as `Authorization: Bearer <token>`. */
  isTeacher(req: IncomingMessage): boolean {
    return hasBearer(req, this.teacherToken);
  }
}

/** True when the request carries `token` as `Authorization: Bearer <token>` (also Prometheus' `authorization` scrape setting). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m !== null && sameSecret(m[1]!, token);
}

/** Compares in constant time, so response timing does not leak how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
