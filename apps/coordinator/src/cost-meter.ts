/**
 * Time the coordinator itself spends on a round: dispatching tasks (encoding the weights and
 * writing them to the sockets), checking and decoding results, aggregating, applying the optimizer
 * and estimating the noise scale. Round time minus this is time spent waiting for workers, so its
 * share of the round says whether the coordinator, rather than the fleet, limits the cluster.
 */
export class CostMeter {
  private ms = 0;

  time<T>(work: () => T): T {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      this.ms += performance.now() - t0;
    }
  }

  /** The time measured since the last take, which starts the next count. */
  take(): number {
    const ms = this.ms;
    this.ms = 0;
    return ms;
  }
}
