/**
 * Everything before the coordinator may count on this tab: find the class server's run, download
 * its data, and have the Web Worker load it and test which backend computes fastest and correctly.
 */
import * as Comlink from 'comlink';
import type { RunInfo } from '@shardgrad/protocol';
import type { CalibrationReport, ShardReply } from './compute-api.ts';
import { CalibrationProgressReporter } from './calibration-progress.ts';
import type { SessionDeps } from './session-deps.ts';
import { sleep } from './sleep.ts';
import { runShown, UNREACHABLE, type SnapshotStore } from './tab-snapshot.ts';

/** How long to wait before asking again for the run of a class server that did not answer. */
const RETRY_MS = 3000;

/** Two runs need the same preparation when model, data and schema agree (a restart keeps them). */
const sameWork = (a: RunInfo, b: RunInfo) =>
  a.model === b.model &&
  a.dataset === b.dataset &&
  a.schemaHash === b.schemaHash &&
  a.seed === b.seed &&
  JSON.stringify([a.modelConfig, a.datasetOptions]) === JSON.stringify([b.modelConfig, b.datasetOptions]);

export class RunPreparation {
  private prepared?: RunInfo;
  private calibration?: CalibrationReport;
  private readonly progress: CalibrationProgressReporter;

  constructor(
    private readonly deps: Pick<SessionDeps, 'origin' | 'options' | 'compute'>,
    private readonly snapshots: SnapshotStore,
  ) {
    this.progress = new CalibrationProgressReporter(snapshots);
  }

  /** The backend test's verdict; absent until a test has ended. */
  get report(): CalibrationReport | undefined {
    return this.calibration;
  }

  isPreparedFor(run: RunInfo): boolean {
    return this.prepared !== undefined && sameWork(this.prepared, run);
  }

  /** The calibrated speed, as slow as `slowdown` makes this tab pretend to be. */
  reportedSpeed(): number {
    return this.calibration!.samplesPerSecond / this.deps.options.slowdown;
  }

  /** The GPU was lost and the Web Worker moved to another backend: plan with that one's speed. */
  switchedTo(r: ShardReply): void {
    this.calibration = { ...this.calibration!, chosen: r.backend, samplesPerSecond: r.fallback?.samplesPerSecond ?? this.calibration!.samplesPerSecond };
  }

  /** The run to join; while the class server cannot be reached (not started yet, restarting), asks again. */
  async fetchRunWhenReachable(): Promise<RunInfo> {
    for (;;) {
      let res: Response;
      try {
        res = await fetch(`${this.deps.origin}/api/status`, { cache: 'no-store' });
      } catch (e) {
        console.warn(`shardgrad: class server unreachable: ${(e as Error).message}`);
        this.snapshots.set({ phase: 'connecting', message: UNREACHABLE });
        await sleep(RETRY_MS);
        continue;
      }
      if (!res.ok) throw new Error(`the class server answered ${res.status} when asked for its run`);
      const body = (await res.json()) as { run?: RunInfo };
      if (!body.run?.runId || !body.run.model || !body.run.dataset) throw new Error('the class server has no run to join');
      return body.run;
    }
  }

  async prepare(run: RunInfo): Promise<void> {
    const { origin, compute } = this.deps;
    this.snapshots.set({ phase: 'downloading', message: `Downloading the ${run.dataset} training data…`, run: runShown(run) });
    const res = await fetch(`${origin}/data/${encodeURIComponent(run.dataset)}.bin`);
    if (!res.ok) throw new Error(`could not download the dataset (${res.status} ${await res.text().catch(() => '')})`);
    const dataset = new Uint8Array(await res.arrayBuffer());
    await compute.init(Comlink.transfer({ run, dataset, wasmPrefix: `${origin}/tfjs-wasm/` }, [dataset.buffer]));
    const { candidates, pinned } = this.deps.options;
    const report = await this.progress.during(candidates, (onProgress) => compute.calibrate({ candidates, pinned }, Comlink.proxy(onProgress)));
    this.calibration = report;
    this.prepared = run;
    this.snapshots.set({ backend: report.chosen, samplesPerSecond: this.reportedSpeed(), calibration: report, calibrating: undefined });
  }
}
