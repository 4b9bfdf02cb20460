import type { ControlReply, ControlRequest, DashboardRun } from '@shardgrad/protocol';
import { describeSchedule, formatRate } from './format.ts';

const TOKEN_KEY = 'shardgrad-teacher-token';

/**
 * The teacher's token arrives in the URL fragment (never sent to the server); it is kept for this
 * tab and wiped from the address bar, so the projector does not show it.
 */
export function takeToken(): string | undefined {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The server's reply and its HTTP status: 401 means the teacher token is missing or wrong. */
export async function sendControl(token: string | undefined, req: ControlRequest): Promise<{ status: number; reply: ControlReply }> {
  const res = await fetch('/api/control', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(req),
  });
  return { status: res.status, reply: (await res.json()) as ControlReply };
}

export interface ControlElements {
  lr: HTMLInputElement;
  batch: HTMLInputElement;
  model: HTMLSelectElement;
  newBatch: HTMLInputElement;
  newLr: HTMLInputElement;
}

/** Values last written into each input from the server, so that only a change overwrites the teacher's typing. */
const synced = new WeakMap<HTMLInputElement, string>();

/** Writes the server's value when it changed, and never into the field the teacher is typing in. */
function syncInput(el: HTMLInputElement, value: string): void {
  if (synced.get(el) === value || document.activeElement === el) return;
  el.value = value;
  synced.set(el, value);
}

/** A finished or stopping run takes no more steps: its settings can only be given with a new run. */
const isEnding = (run: DashboardRun) => run.state === 'finished' || run.state === 'stopping';

/** Keeps the controls' inputs in step with the run without overwriting what the teacher is typing. */
export function syncControls(run: DashboardRun, els: ControlElements): void {
  // The base rate: the one set-lr changes, steady while a schedule moves this step's rate.
  syncInput(els.lr, formatRate(run.baseLearningRate ?? run.learningRate));
  syncInput(els.batch, String(run.batch));
  syncModels(run, els);
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
    const a = b.dataset.action;
    // A finished run has saved its model and closed its directory: only a new run makes sense then;
    // a stopping one can still be checkpointed or followed by a new run.
    const ending = run.state === 'finished' || (run.state === 'stopping' && (a === 'pause' || a === 'resume' || a === 'stop'));
    b.disabled = ending || (a === 'pause' && run.state === 'paused') || (a === 'resume' && run.state !== 'paused');
    // A run held before its first step (--start-paused) is started, not resumed.
    if (a === 'resume') b.textContent = run.state === 'paused' && run.step === 0 ? 'Start' : 'Resume';
  }
  const ending = isEnding(run);
  for (const form of [els.lr.form, els.batch.form]) {
    form!.querySelector('button')!.disabled = ending;
    form!.title = ending ? 'The run has ended: give the learning rate and batch with the new run below.' : '';
  }
  // Back after a disconnect (disableControls): the server answers again.
  els.model.form!.querySelector('button')!.disabled = false;
}

function syncModels(run: DashboardRun, els: ControlElements): void {
  if (els.model.options.length !== run.models.length) {
    els.model.replaceChildren(
      ...run.models.map((m) => {
        const o = document.createElement('option');
        o.value = m.name;
        o.textContent = `${m.name} — ${m.summary}`;
        return o;
      }),
    );
    els.model.value = run.model;
  }
  showNewRunDefaults(run, els);
}

/** The new run's fields show the chosen model's defaults as placeholders: empty means "the default". */
export function showNewRunDefaults(run: DashboardRun, els: ControlElements): void {
  const d = run.models.find((m) => m.name === els.model.value)?.defaults;
  els.newBatch.placeholder = d ? String(d.batch) : 'default';
  els.newLr.placeholder = d ? formatRate(d.learningRate) : 'default';
  const schedule = describeSchedule(d?.lrSchedule);
  els.newLr.title = d ? `${d.optimizer} ${formatRate(d.learningRate)} by default${schedule ? `, with ${schedule}` : ''}` : '';
}

/** The server is gone (the run ended without --keep-alive, or the network): nothing can be asked of it. */
export function disableControls(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action], #lr-form button, #batch-form button, #new-run-form button')) b.disabled = true;
}
