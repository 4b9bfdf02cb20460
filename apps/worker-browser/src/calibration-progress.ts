/** The backend test as the student watches it: which backend is measured now, and how many are left. */
import { BACKEND_LABELS } from './backend-labels.ts';
import type { BrowserBackend, CalibrationProgress } from './compute-api.ts';
import type { SnapshotStore } from './tab-snapshot.ts';

/** "Testing WebGL (3 of 4)…": which backend the student is waiting for, and how many are left. */
export function calibratingMessage(p: CalibrationProgress): string {
  if (!p.testing) return p.done.length ? 'Choosing the fastest backend that computes correctly…' : 'Testing which backend computes fastest and correctly here…';
  const what = p.testing === 'cpu' ? 'CPU (the reference the others must match)' : BACKEND_LABELS[p.testing];
  return `Testing ${what}, ${p.done.length + 1} of ${p.total}…`;
}

export class CalibrationProgressReporter {
  /** Bumped at each calibration: progress news from an earlier one, arriving late, is not drawn. */
  private calibrationId = 0;

  constructor(private readonly snapshots: SnapshotStore) {}

  /** Runs `calibrate` over `candidates` (and cpu, always measured), drawing its news as it comes. */
  async during<T>(candidates: readonly BrowserBackend[], calibrate: (onProgress: (p: CalibrationProgress) => void) => Promise<T>): Promise<T> {
    const id = ++this.calibrationId;
    const start: CalibrationProgress = { done: [], total: new Set([...candidates, 'cpu']).size };
    this.snapshots.set({ phase: 'calibrating', message: calibratingMessage(start), calibrating: start, calibration: undefined });
    const onProgress = (p: CalibrationProgress) => {
      if (id === this.calibrationId && this.snapshots.current.phase === 'calibrating') this.snapshots.set({ calibrating: p, message: calibratingMessage(p) });
    };
    try {
      return await calibrate(onProgress);
    } finally {
      this.calibrationId++;
    }
  }
}
