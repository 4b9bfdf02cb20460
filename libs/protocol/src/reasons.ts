/** Closed set of reasons a submission or a join is refused; counted per worker and shown to people. */
export const REJECT_REASONS = [
  'malformed',
  'wrong-run',
  'stale-round',
  'unknown-shard',
  'duplicate',
  'wrong-schema',
  'wrong-shape',
  'wrong-dtype',
  'not-finite',
  // Finite, but beyond any honest gradient (gradient-norm-guard.ts): it would swamp the optimizer's state.
  'out-of-range',
  'oversized',
  'wrong-count',
  'protocol-version',
  'unauthorized',
  'not-accepting',
  // The socket protocol's order (hello, then ready, then results): an event where it has no place.
  'out-of-order',
  'unknown-event',
  'timed-out',
  // Trust (who may join, and what they may send).
  'spot-check-mismatch',
  'rate-limited',
  'too-many-tabs',
  'bad-origin',
  'struck-out',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export class ProtocolError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = 'ProtocolError';
  }
}
