/**
 * A validation split carved from the training split. Only the coordinator needs it: it evaluates
 * the held-out rows itself and builds each epoch's order from the remaining rows, so workers
 * (who index the full training split) are never sent a validation row.
 */
import { epochOrder } from './order.ts';
import { deriveSeed } from './rng.ts';
import { permutation } from './seeded-random.ts';

/** Salt so the held-out rows do not depend on the epoch-0 visiting order that shares the run seed. */
const VALIDATION_SALT = 0x7a11d;

export interface TrainValidationRows {
  /** Rows that train, ascending. */
  train: Uint32Array;
  /** Rows held out, ascending. */
  validation: Uint32Array;
}

/** Holds out round(n * fraction) rows chosen by the seed; both parts keep at least one row. */
export function splitValidation(n: number, fraction: number, seed: number): TrainValidationRows {
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction < 1)) throw new RangeError(`validation split must be a fraction in (0, 1), got ${fraction}`);
  const k = Math.round(n * fraction);
  if (k < 1 || k > n - 1) throw new RangeError(`validation split ${fraction} of ${n} training rows leaves ${k} for validation and ${n - k} to train; both need at least one`);
  const perm = permutation(n, deriveSeed(seed, VALIDATION_SALT));
  const validation = perm.slice(0, k).sort();
  const train = perm.slice(k).sort();
  return { train, validation };
}

/** Epoch `epoch`'s visiting order of a subset of rows (the same shuffle epochOrder gives for all rows). */
export function epochOrderOf(rows: Uint32Array, seed: number, epoch: number): Uint32Array {
  const order = epochOrder(rows.length, seed, epoch);
  const out = new Uint32Array(rows.length);
  for (let i = 0; i < order.length; i++) out[i] = rows[order[i]!]!;
  return out;
}
