/** Draws the session and the class total into the join page. DOM only; no state of its own. */
import { BACKEND_LABELS } from './backend-labels.ts';
import { ownCounts, withOwnWork, type ClassTotal, type OwnWork } from './class-total.ts';
import type { BackendCalibration } from './compute-api.ts';
import type { TabSnapshot } from './session.ts';
import { describeStatus } from './status.ts';
import { displayName } from '@shardgrad/protocol/display';
import { formatMinutes, showLeaderboard } from './leaderboard.ts';

const fmt = new Intl.NumberFormat();
const plural = (n: number, word: string) => `${fmt.format(n)} ${word}${n === 1 ? '' : 's'}`;

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`join page lacks #${id}`);
  return e as T;
}

export interface JoinView {
  /** Draws everything from one tab state and one class total, so no two parts of the page disagree. */
  show(s: TabSnapshot, t: ClassTotal | undefined): void;
}

export function createView(onToggle: () => void): JoinView {
  const app = el('app');
  const toggle = el<HTMLButtonElement>('toggle');
  toggle.addEventListener('click', onToggle);
  let wasCalibrating = false;
  return {
    show(s, t) {
      const own: OwnWork = { workerId: s.workerId, runId: s.run?.runId, ...s.contribution };
      app.dataset.phase = s.phase;
      if (s.backend) app.dataset.backend = s.backend;
      const status = describeStatus(s, t);
      el('phase').textContent = status.title;
      el('message').textContent = status.message;
      drawBackend(s);
      drawOwnWork(s, t, own);
      drawToggle(toggle, s);
      drawFallback(s);
      // Open the backend test while it runs (a slow one takes most of a minute): its rows fill in one by one.
      if (s.calibrating && !wasCalibrating) el<HTMLDetailsElement>('calibration').open = true;
      wasCalibrating = Boolean(s.calibrating);
      drawCalibration(s);
      if (t) drawClass(withOwnWork(t, own), s.workerId);
      drawRun(s, t);
    },
  };
}

function drawBackend(s: TabSnapshot): void {
  el('backend').textContent = s.backend ? BACKEND_LABELS[s.backend] : '–';
  el('speed').textContent = s.samplesPerSecond ? `${fmt.format(Math.round(s.samplesPerSecond))} samples/s in the backend test` : '';
}

/** This run's accepted work, as on the tab's leaderboard row; every run's since the tab opened below it. */
function drawOwnWork(s: TabSnapshot, t: ClassTotal | undefined, own: OwnWork): void {
  const run = ownCounts(t, own);
  el('mine-samples').textContent = fmt.format(run.samples);
  el('mine-rounds').textContent = `samples in ${plural(run.rounds, 'round')} of this run`;
  const all = Math.max(s.allRuns.samples, run.samples);
  el('mine-all').textContent = all > run.samples ? `${fmt.format(all)} in all runs since this tab opened` : '';
  const mine = t?.rows?.find((r) => r.workerId === s.workerId);
  el('mine-minutes').textContent = mine ? `helping for ${formatMinutes(mine.minutes)}` : '';
}

function drawToggle(toggle: HTMLButtonElement, s: TabSnapshot): void {
  const paused = s.phase === 'paused' || s.phase === 'finished';
  toggle.textContent = s.phase === 'finished' ? 'Join again' : paused ? 'Resume' : 'Pause (leave the class)';
  toggle.classList.toggle('resume', paused);
  // Nothing to pause before the tab has prepared (and a failed tab needs a reload).
  toggle.disabled = s.phase === 'error' || s.phase === 'code' || !s.calibration;
}

function drawFallback(s: TabSnapshot): void {
  const fb = el('fallback');
  const last = s.fallbacks.at(-1);
  fb.hidden = !last;
  if (last) fb.textContent = `${BACKEND_LABELS[last.from]} stopped working (${last.reason}); this tab carries on with ${BACKEND_LABELS[last.to]}.`;
}

/** The backend test's table: the finished report, or the results so far and the one being measured. */
function drawCalibration(s: TabSnapshot): void {
  const results = s.calibration?.results ?? s.calibrating?.done;
  if (!results) return;
  const rows = results.map((r) => tableRow(calibrationCells(r, s.calibration?.chosen)));
  const testing = s.calibrating?.testing;
  if (testing) rows.push(tableRow([BACKEND_LABELS[testing], '…', 'testing now…']));
  el('calibration-rows').replaceChildren(...rows);
}

function calibrationCells(r: BackendCalibration, chosen: string | undefined): string[] {
  return [
    BACKEND_LABELS[r.backend] + (r.backend === chosen ? ' ✓ chosen' : '') + (r.kernels ? ` (${r.kernels})` : ''),
    r.samplesPerSecond ? fmt.format(Math.round(r.samplesPerSecond)) : '–',
    !r.available ? `unavailable: ${r.error ?? ''}` : r.matches ? `yes (${r.relativeError?.toExponential(1)})` : `no: ${r.error ?? ''}`,
  ];
}

function tableRow(cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (i === 1) td.className = 'num';
    tr.append(td);
  });
  return tr;
}

function drawClass(t: ClassTotal, me: string | undefined): void {
  el('class-samples').textContent = fmt.format(t.samples);
  const tabs = t.tabs !== undefined && !t.offline ? ` (${plural(t.tabs, 'tab')})` : '';
  const who = t.offline ? 'class server offline' : `${plural(t.workers, 'worker')} now${tabs}`;
  el('class-detail').textContent = `samples this run · step ${fmt.format(t.steps)} · ${who}`;
  el('leaders').hidden = !t.rows?.length;
  if (t.rows) showLeaderboard(el<HTMLOListElement>('leaderboard'), t.rows, me);
}

function drawRun(s: TabSnapshot, t: ClassTotal | undefined): void {
  const run = s.run;
  if (!run) return;
  const batch = t?.batch ?? run.batch;
  const you = s.workerId ? ` · you appear as ${displayName({ id: s.workerId, nickname: s.nickname })}` : '';
  el('run').textContent = `Model ${run.model} on ${run.dataset}, ${batch} samples per round${you}`;
}
