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
}

/**
 * Who may do what in a classroom. The teacher's token guards the run controls; the join code is
 * what students type. (Enforcing the code at hello, and per-worker tokens, belong to the trust work
 * and extend this class.)
 */
export class ClassroomAuth {
  readonly teacherToken: string;
  readonly joinCode: string;

  constructor(opts: ClassroomAuthOptions = {}) {
    if (opts.teacherToken !== undefined && opts.teacherToken.length < 16) {
      throw new Error('the teacher token must be at least 16 characters long');
    }
    this.teacherToken = opts.teacherToken ?? createTeacherToken();
    this.joinCode = (opts.joinCode ?? createJoinCode()).toUpperCase();
  }

  /** True when the request carries the teacher's token as `Authorization: Bearer <token>`. */
  isTeacher(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m !== null && sameSecret(m[1]!, this.teacherToken);
  }
}

/** Compares in constant time, so response timing does not leak how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
