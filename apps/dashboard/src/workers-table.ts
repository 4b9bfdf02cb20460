import type { WorkerView } from '@shardgrad/protocol';
import { displayName } from './format.ts';

/** "3 s ago", "2 min ago": last seen, relative to now. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** Refusals that were no fault of the worker's: the coordinator no longer needed that result. */
const NOT_FAULTS: Record<string, string> = {
  'stale-round': 'arrived after their round had ended (a batch change or a stop cuts a round short)',
  duplicate: 'were late copies of a shard another worker had finished',
};

/** Reason codes in the teacher's words; a code not listed here is shown as it is. */
const REASON_WORDS: Record<string, string> = {
  malformed: 'unreadable result',
  'wrong-run': 'result for another run',
  'unknown-shard': 'result for a shard it was not given',
  'wrong-schema': 'gradient of another model',
  'wrong-shape': 'gradient of the wrong shape',
  'wrong-dtype': 'gradient of the wrong number type',
  'not-finite': 'NaN or infinite values',
  'out-of-range': 'gradient far too large',
  'out-of-order': 'messages out of order',
  'unknown-event': 'unknown messages',
  'timed-out': 'went silent',
  oversized: 'result too large',
  'wrong-count': 'wrong number of samples',
  'protocol-version': 'outdated version',
  'spot-check-mismatch': 'failed a spot check',
  'rate-limited': 'sent too often',
  'struck-out': 'dropped after too many errors',
};

/**
 * The errors cell: the worker's own faults (its strikes) with their reasons in words, e.g.
 * "2: NaN or infinite values ×2". Results the coordinator itself made unneeded (a round cut short by
 * the teacher's batch change, a late copy) are not errors: they are only explained on hover.
 */
export function refusals(w: Pick<WorkerView, 'errors' | 'rejects' | 'flagged'>): { text: string; title: string } {
  const entries = Object.entries(w.rejects ?? {}).sort((a, b) => b[1] - a[1]);
  const faults = entries.filter(([r]) => !(r in NOT_FAULTS)).map(([r, n]) => `${REASON_WORDS[r] ?? r} ×${n}`);
  const harmless = entries.filter(([r]) => r in NOT_FAULTS).map(([r, n]) => `${n} result${n === 1 ? '' : 's'} ${NOT_FAULTS[r]}`);
  const flag = w.flagged ? ' (flagged by a spot check)' : '';
  const text = `${w.errors}${w.errors > 0 && faults.length > 0 ? `: ${faults.join(', ')}` : ''}${flag}`;
  const title = [
    w.errors === 0 ? 'no errors' : `${w.errors} error${w.errors === 1 ? '' : 's'}: ${faults.join(', ')}`,
    ...(harmless.length > 0 ? [`not errors: ${harmless.join('; ')}`] : []),
  ].join('\n');
  return { text, title };
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

/** Columns, the ones a teacher looks at first leftmost: a phone shows them without scrolling. */
const COLUMNS = ['worker', 'share', 'samples/s', 'rounds', 'errors', 'last seen', 'kind', 'backend'] as const;

interface Cell {
  text: string;
  title?: string;
}

function cellsOf(w: WorkerView): Cell[] {
  const gone = w.status === 'gone';
  return [
    { text: displayName(w), title: w.id },
    { text: gone ? '—' : `${Math.round(w.share * 100)}%` },
    { text: w.samplesPerSecond.toLocaleString('en') },
    { text: String(w.rounds) },
    refusals(w),
    { text: gone ? `left ${ago(w.lastSeen)}` : ago(w.lastSeen) },
    { text: w.kind },
    { text: backendCell(w) },
  ];
}

/** The live table of workers; rows are rebuilt from each snapshot the coordinator sends. */
export class WorkersTable {
  private workers: WorkerView[] = [];
  /** Set while the coordinator cannot be reached: what the table showed is no longer known. */
  private offline: string | undefined;

  constructor(
    private readonly table: HTMLTableElement,
    private readonly count: HTMLElement,
  ) {
    const head = document.createElement('tr');
    head.append(...COLUMNS.map((c) => Object.assign(document.createElement('th'), { textContent: c })));
    table.tHead!.replaceChildren(head);
    setInterval(() => this.render(), 1000);
  }

  set(workers: WorkerView[]): void {
    this.workers = workers;
    this.offline = undefined;
    this.render();
  }

  /** The coordinator went away: nobody can be said to be connected; the last rows stay, greyed. */
  setOffline(why: string): void {
    this.offline = why;
    this.render();
  }

  private render(): void {
    const live = this.workers.filter((w) => w.status !== 'gone');
    this.count.textContent = this.offline ?? `${live.length} connected`;
    this.table.classList.toggle('stale', this.offline !== undefined);
    const rows = [...live, ...this.workers.filter((w) => w.status === 'gone')].map((w) => {
      const tr = document.createElement('tr');
      tr.className = w.status;
      tr.dataset.workerId = w.id;
      for (const cell of cellsOf(w)) {
        const td = document.createElement('td');
        td.textContent = cell.text;
        if (cell.title) td.title = cell.title;
        tr.append(td);
      }
      return tr;
    });
    this.table.tBodies[0]!.replaceChildren(...rows);
  }
}
