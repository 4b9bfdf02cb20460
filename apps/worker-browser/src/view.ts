/** Draws the session and the class total into the join page. DOM only; no state of its own. */
import type { RunState } from '@shardgrad/protocol';
import type { ClassTotal } from './class-total.ts';
import type { BrowserBackend } from './compute-api.ts';
import type { Phase, TabSnapshot } from './session.ts';
import { formatMinutes, showLeaderboard } from './leaderboard.ts';

const PHASE_TITLES: Record<Phase, string> = {
  connecting: 'Connecting',
  downloading: 'Downloading data',
  calibrating: 'Calibrating',
  waiting: 'Waiting',
  training: 'Training',
  paused: 'Paused',
  finished: 'Finished',
  error: 'Error',
};

export const BACKEND_LABELS: Record<BrowserBackend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

const fmt = new Intl.NumberFormat();

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`join page lacks #${id}`);
  return e as T;
}

/**
 * What a tab that waits for work is waiting for, where the class stats say more than the tab can
 * see: its socket only knows that no task comes.
 */
export function waitingMessage(runState: RunState | undefined): string | undefined {
  switch (runState) {
    case 'paused':
      return 'The teacher has paused training; this tab carries on when it resumes.';
    case 'stopping':
      return 'The teacher is stopping the run.';
    case 'finished':
      return 'This run has ended. Keep the page open: if the teacher starts another, this tab joins it.';
    default:
      return undefined;
  }
}

export interface JoinView {
  showSession(s: TabSnapshot): void;
  showClass(t: ClassTotal): void;
}

export function createView(onToggle: () => void): JoinView {
  const app = el('app');
  const toggle = el<HTMLButtonElement>('toggle');
  toggle.addEventListener('click', onToggle);
  /** This tab's worker id, to find its row in the class stats. */
  let me: string | undefined;
  /** The last session and class total drawn: each says part of the message and of the run line. */
  let session: TabSnapshot | undefined;
  let total: ClassTotal | undefined;
  const drawMessage = () => {
    if (!session) return;
    el('message').textContent = (session.phase === 'waiting' && waitingMessage(total?.runState)) || session.message;
  };
  const drawRun = () => {
    const run = session?.run;
    if (!run) return;
    const batch = total?.batch ?? run.batch;
    el('run').textContent = `Model ${run.model} on ${run.dataset}, ${batch} samples per round${session!.workerId ? ` · worker ${session!.workerId.slice(0, 6)}` : ''}`;
  };
  return {
    showSession(s) {
      me = s.workerId;
      session = s;
      app.dataset.phase = s.phase;
      if (s.backend) app.dataset.backend = s.backend;
      el('phase').textContent = PHASE_TITLES[s.phase];
      drawMessage();
      el('backend').textContent = s.backend ? BACKEND_LABELS[s.backend] : '–';
      el('speed').textContent = s.samplesPerSecond ? `${fmt.format(Math.round(s.samplesPerSecond))} samples/s measured` : '';
      el('mine-samples').textContent = fmt.format(s.contribution.samples);
      el('mine-rounds').textContent = `samples in ${fmt.format(s.contribution.rounds)} round${s.contribution.rounds === 1 ? '' : 's'}`;
      const paused = s.phase === 'paused' || s.phase === 'finished';
      toggle.textContent = s.phase === 'finished' ? 'Join again' : paused ? 'Resume' : 'Pause (leave the class)';
      toggle.classList.toggle('resume', paused);
      // Nothing to pause before the tab has prepared (and a failed tab needs a reload).
      toggle.disabled = s.phase === 'error' || !s.calibration;
      const fb = el('fallback');
      const last = s.fallbacks.at(-1);
      fb.hidden = !last;
      if (last) fb.textContent = `${BACKEND_LABELS[last.from]} stopped working (${last.reason}); this tab carries on with ${BACKEND_LABELS[last.to]}.`;
      if (s.calibration) {
        el('calibration-rows').replaceChildren(
          ...s.calibration.results.map((r) => {
            const tr = document.createElement('tr');
            const cells = [
              BACKEND_LABELS[r.backend] + (r.backend === s.calibration!.chosen ? ' ✓ chosen' : '') + (r.kernels ? ` (${r.kernels})` : ''),
              r.samplesPerSecond ? fmt.format(Math.round(r.samplesPerSecond)) : '–',
              !r.available ? `unavailable: ${r.error ?? ''}` : r.matches ? `yes (${r.relativeError?.toExponential(1)})` : `no: ${r.error ?? ''}`,
            ];
            cells.forEach((text, i) => {
              const td = document.createElement('td');
              td.textContent = text;
              if (i === 1) td.className = 'num';
              tr.append(td);
            });
            return tr;
          }),
        );
      }
      drawRun();
    },
    showClass(t) {
      total = t;
      drawMessage();
      drawRun();
      el('class-samples').textContent = fmt.format(t.samples);
      const tabs = t.tabs !== undefined ? ` (${t.tabs} tab${t.tabs === 1 ? '' : 's'})` : '';
      el('class-detail').textContent = `samples · step ${fmt.format(t.steps)} · ${t.workers} worker${t.workers === 1 ? '' : 's'}${tabs}`;
      el('leaders').hidden = !t.rows?.length;
      if (t.rows) showLeaderboard(el<HTMLOListElement>('leaderboard'), t.rows, me);
      const mine = t.rows?.find((r) => r.workerId === me);
      el('mine-minutes').textContent = mine ? `helping for ${formatMinutes(mine.minutes)}` : '';
    },
  };
}
