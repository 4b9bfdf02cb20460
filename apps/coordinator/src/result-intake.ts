import { ProtocolError, type SubmitAck } from '@shardgrad/protocol';
import type { ModelDefinition } from '@shardgrad/models';
import type { CoordinatorEvent } from './events.ts';
import type { GradientNormGuard } from './gradient-norm-guard.ts';
import { taskKey, type Round } from './round.ts';
import { impossibleValues, missingMetrics, validateResult, type Expectation, type ResultCheck } from './validate-result.ts';
import type { PoolMember, WorkerPool } from './worker-pool.ts';

/** What a submission is held against: the run, the model and its parameter layout, as they are now. */
export interface ResultTerms extends Expectation {
  def: Pick<ModelDefinition, 'metrics' | 'customStep'>;
  trainableCount: number;
}

/** The coordinator's side of the intake: read at each submission, since a new run replaces all of it. */
export interface ResultDesk {
  readonly pool: WorkerPool;
  readonly normGuard: GradientNormGuard;
  /** Spot checks (spot-check.ts), when configured. */
  resultCheck(): ResultCheck | undefined;
  /** Refusals a worker may have before it is dropped for good. */
  strikeLimit(): number;
  terms(): ResultTerms;
  /** The round in progress, if any. */
  round(): Round | undefined;
  /** Keeps a struck-out worker from joining again for a while (Admission's bench). */
  bench(workerId: string): void;
  emit(event: CoordinatorEvent): void;
}

/**
 * Takes one submitted result: every check in order, from the message's form to the round's own
 * bookkeeping, then counts it or refuses it. A refusal is acknowledged with its reason, hands the
 * worker's work for this round to others, and past the strike limit drops the worker.
 */
export function takeResult(desk: ResultDesk, member: PoolMember, rawHeader: unknown, payload: unknown, rawAck: unknown): void {
  const ack = typeof rawAck === 'function' ? (rawAck as (r: SubmitAck) => void) : () => undefined;
  member.lastSeen = Date.now();
  const refuse = (reason: string, message: string) => refuseResult(desk, member, ack, reason, message);
  try {
    const terms = desk.terms();
    const { header, grads, encoding, bytes, sumSquares } = validateResult(rawHeader, payload, terms);
    const r = desk.round();
    if (!r || header.round !== r.round || header.version !== r.version) {
      // A late copy of a shard the round no longer needs; its timing still says how fast this worker
      // is, but only for a task it really holds and at the size it was given: a header can claim anything.
      const given = desk.pool.settle(member, taskKey(header.round, header.version, header.shardId));
      if (given !== undefined) {
        desk.pool.released(member);
        desk.pool.recordCompute(member, given, header.computeMs);
      }
      return refuse('stale-round', `round ${header.round} (v${header.version}) is not the current round`);
    }
    const metricsProblem = missingMetrics(terms.def, header.metrics);
    if (metricsProblem) return refuse('malformed', metricsProblem);
    const impossible = impossibleValues(terms.def, header);
    if (impossible) return refuse('out-of-range', impossible);
    const size = desk.normGuard.check(sumSquares, terms.trainableCount);
    if (!size.ok) return refuse(size.reason, size.message);
    const check = desk.resultCheck()?.(member, header, grads);
    if (check && !check.ok) return refuse(check.reason, check.message);
    const verdict = r.accept(member, header.shardId, { grads, sumSquares, count: header.count, loss: header.loss, metrics: header.metrics ?? {}, computeMs: header.computeMs });
    if (!verdict.ok) return refuse(verdict.reason, verdict.message);
    desk.normGuard.accepted(size.norm);
    member.encoding = encoding;
    member.resultBytes = bytes;
    ack({ ok: true });
  } catch (e) {
    if (e instanceof ProtocolError) return refuse(e.reason, e.message);
    refuse('malformed', (e as Error).message);
  }
}

function refuseResult(desk: ResultDesk, member: PoolMember, ack: (r: SubmitAck) => void, reason: string, message: string): void {
  desk.pool.reject(member, reason);
  // Whatever it was computing for this round will not come from it now: give the work to others.
  if (reason !== 'duplicate' && reason !== 'stale-round') desk.round()?.workerFailed(member);
  desk.emit({ type: 'rejected', workerId: member.id, nickname: member.nickname, reason, message });
  ack({ ok: false, reason, message });
  const limit = desk.strikeLimit();
  if (member.errors > limit && !member.struckOut) {
    // Past the limit it is dropped for good: no resume, and its strikes stay on the record.
    member.struckOut = true;
    desk.bench(member.id);
    desk.emit({ type: 'worker-dropped', workerId: member.id, strikes: member.errors, rejects: { ...member.rejects } });
    member.disconnect(`dropped after ${member.errors} refused submissions (limit ${limit})`);
  }
}
