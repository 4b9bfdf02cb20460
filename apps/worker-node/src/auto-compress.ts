import type { CompressMode, ResultEncoding } from '@shardgrad/protocol';

/**
 * `--compress auto`: compress only where the link, not the compute, is the bottleneck.
 *
 * After each acknowledged result the worker knows how long the upload took (emit → ack) and how
 * long the shard's compute took. It scales the upload to what raw float32 would have taken
 * (× raw bytes / sent bytes) and takes
 *   share = upload as float32 / compute,   the smallest over its last WINDOW results.
 * The smallest, not the mean: the ack round trip also holds time the link is not to blame for (the
 * coordinator checking another worker's result first, or finishing the round — aggregation,
 * optimizer, next tasks — before it answers the last shard), and that only ever adds; a slow link
 * makes every upload slow. Then: share < 10% → none (the link costs little: stay exact); < 20% → fp16 (half the bytes
 * brings the upload back under 10%); otherwise int8 (a quarter). A step towards more compression
 * is taken at once; a step back only once the share is 30% under the threshold, so a worker near
 * a threshold does not flip every round. Nothing changes before WINDOW results since the last
 * change: the first rounds include warm-up.
 */
export const AUTO_FP16_SHARE = 0.1;
export const AUTO_INT8_SHARE = 0.2;
const HYSTERESIS = 0.7;
const WINDOW = 5;

const RANK: Record<ResultEncoding, number> = { none: 0, fp16: 1, int8: 2 };

export function parseCompressMode(v: string): CompressMode {
  if (v === 'none' || v === 'fp16' || v === 'int8' || v === 'auto') return v;
  throw new Error(`--compress must be none, fp16, int8 or auto, not "${v}"`);
}

export class CompressionChoice {
  private current: ResultEncoding;
  private recent: number[] = [];

  constructor(private readonly mode: CompressMode) {
    this.current = mode === 'auto' ? 'none' : mode;
  }

  /** The encoding for the next result. */
  get encoding(): ResultEncoding {
    return this.current;
  }

  /** The upload share of compute, as float32, over the recent results (auto only; undefined before the first). */
  get uploadShare(): number | undefined {
    return this.recent.length ? Math.min(...this.recent) : undefined;
  }

  /** One acknowledged result: its upload time, its bytes, what float32 would have sent, its compute time. */
  record(uploadMs: number, sentBytes: number, rawBytes: number, computeMs: number): void {
    if (this.mode !== 'auto' || !(computeMs > 0) || !(sentBytes > 0) || !Number.isFinite(uploadMs)) return;
    this.recent.push((Math.max(0, uploadMs) * (rawBytes / sentBytes)) / computeMs);
    if (this.recent.length > WINDOW) this.recent.shift();
    if (this.recent.length < WINDOW) return;
    const share = Math.min(...this.recent);
    const more = pick(share);
    const less = pick(share / HYSTERESIS);
    const next = RANK[more] > RANK[this.current] ? more : RANK[less] < RANK[this.current] ? less : this.current;
    if (next !== this.current) {
      this.current = next;
      this.recent = [];
    }
  }
}

function pick(share: number): ResultEncoding {
  if (share < AUTO_FP16_SHARE) return 'none';
  if (share < AUTO_INT8_SHARE) return 'fp16';
  return 'int8';
}
