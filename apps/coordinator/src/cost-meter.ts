/**
 * Sums the time spent in the work it runs. The coordinator keeps one for its own time per round:
 * dispatching tasks (encoding the weights and writing them to the sockets), checking and decoding
 * results, aggregating, applying the optimizer and estimating the noise scale. Round time minus this is time spent waiting for workers, so its
 * share of the round says whether the coordinator, rather than the fleet, limits the cluster.
 */
export class CostMeter {
  private measured = 0;

  time<T>(work: () => T): T {
    const t0 = performance.now();
    try {
      return work();
    } finally {
      this.measured += performance.now() - t0;
    }
  }

  /** The time measured since the last take, left counting. */
  get ms(): number {
    return this.measured;
  }

  /** The time measured since the last take, which starts the next count. */
  take(): number {
    const ms = this.measured;
    this.measured = 0;
    return ms;
  }
}
