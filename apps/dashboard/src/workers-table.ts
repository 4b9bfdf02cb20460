import type { WorkerView } from '@shardgrad/protocol';

/** "3 s ago", "2 min ago": last seen, relative to now. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/**
 * The errors cell: strikes, then every refusal by reason code (late copies included, which are not
 * strikes), e.g. "2 — not-finite ×2, duplicate ×1". A worker a spot check caught says so.
 */
export function refusals(w: Pick<WorkerView, 'errors' | 'rejects' | 'flagged'>): string {
  const reasons = Object.entries(w.rejects ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');
  return `${w.errors}${reasons ? ` — ${reasons}` : ''}${w.flagged ? ' (flagged by a spot check)' : ''}`;
}

/**
 * The backend cell, with the gradient encoding when the worker compresses: "wasm · int8", or
 * "wasm · auto→fp16" for `--compress auto` (the arrow is what its last result used).
 */
export function backendCell(w: Pick<WorkerView, 'backend' | 'compress' | 'encoding'>): string {
  if (!w.compress || w.compress === 'none') return w.backend;
  if (w.compress === 'auto') return `${w.backend} · auto→${w.encoding ?? 'none'}`;
  return `${w.backend} · ${w.compress}`;
}

/** The live table of workers; rows are rebuilt from each snapshot the coordinator sends. */
export class WorkersTable {
  private workers: WorkerView[] = [];

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly count: HTMLElement,
  ) {
    setInterval(() => this.render(), 1000);
  }

  set(workers: WorkerView[]): void {
    this.workers = workers;
    this.render();
  }

  private render(): void {
    const live = this.workers.filter((w) => w.status !== 'gone');
    this.count.textContent = `${live.length} connected`;
    const rows = [...live, ...this.workers.filter((w) => w.status === 'gone')].map((w) => {
      const tr = document.createElement('tr');
      tr.className = w.status;
      tr.dataset.workerId = w.id;
      const cells = [
        w.nickname ?? w.id.slice(0, 8),
        w.kind,
        backendCell(w),
        w.samplesPerSecond.toLocaleString('en'),
        w.status === 'gone' ? '—' : `${Math.round(w.share * 100)}%`,
        String(w.rounds),
        refusals(w),
        w.status === 'gone' ? `left ${ago(w.lastSeen)}` : ago(w.lastSeen),
      ];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    this.body.replaceChildren(...rows);
  }
}
