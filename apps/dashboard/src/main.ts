import { io, type Socket } from 'socket.io-client';
import type { ControlRequest, DASHBOARD_NAMESPACE, DashboardRun, DashboardServerEvents, JoinInfo, ViewerClientEvents } from '@shardgrad/protocol';
import { Curves } from './charts.ts';
import { type ControlElements, disableControls, saveToken, sendControl, showNewRunDefaults, syncControls, takeToken } from './controls.ts';
import { describeLearningRate, describeWaiting } from './format.ts';
import { drawBigQr, showJoin } from './join-panel.ts';
import { drawPreview } from './preview.ts';
import { WorkersTable } from './workers-table.ts';
import './styles.css';

/** The protocol's constant, checked against it but not imported at run time: that would bundle zod. */
const DASHBOARD_NS: typeof DASHBOARD_NAMESPACE = '/dashboard';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let token = takeToken();
const curves = new Curves({ loss: $('chart-loss'), metric: $('chart-metric'), speed: $('chart-speed'), scalars: $('chart-scalars') });
const workers = new WorkersTable($<HTMLTableElement>('workers'), $('worker-count'));
const controlEls: ControlElements = {
  lr: $<HTMLInputElement>('lr'),
  batch: $<HTMLInputElement>('batch'),
  model: $<HTMLSelectElement>('new-model'),
  newBatch: $<HTMLInputElement>('new-batch'),
  newLr: $<HTMLInputElement>('new-lr'),
};

/** Run states pushed over the socket so far: a control's reply may arrive after a newer one. */
let runUpdates = 0;
/** The run as last heard of: after a disconnect it tells a finished class from a lost coordinator. */
let lastRun: DashboardRun | undefined;
let lastJoin: JoinInfo | undefined;

/** The header's facts, each kept whole when the line wraps (a run id split across lines is unreadable). */
function runFacts(run: DashboardRun): HTMLElement[] {
  const facts = [
    `${run.model} on ${run.dataset}`,
    `step ${run.step}`,
    `batch ${run.batch}`,
    `${run.optimizer} ${describeLearningRate(run)}`,
    `${run.parameters.toLocaleString('en')} parameters`,
    `run ${run.runId}`,
  ];
  return facts.map((text, i) =>
    Object.assign(document.createElement('span'), { textContent: i === 0 ? text : ` · ${text}`, className: i === facts.length - 1 ? 'fact run-id' : 'fact' }),
  );
}

function showRun(run: DashboardRun): void {
  lastRun = run;
  $('run-info').replaceChildren(...runFacts(run));
  setBadge(run.state, run.state);
  const waiting = $('waiting-for');
  waiting.hidden = !run.waitingFor;
  waiting.textContent = run.waitingFor ? describeWaiting(run.waitingFor) : '';
  syncControls(run, controlEls);
}

function setBadge(text: string, state: string): void {
  const badge = $('state');
  badge.textContent = text;
  badge.className = `badge ${state}`;
}

const joinEls = () => ({ qr: $<HTMLCanvasElement>('qr'), url: $<HTMLAnchorElement>('join-url'), code: $('join-code'), qrBig: $<HTMLCanvasElement>('qr-big'), urlBig: $('join-url-big'), codeBig: $('join-code-big') });

function join(j: JoinInfo): void {
  lastJoin = j;
  void showJoin(j, joinEls());
}

function logLine(line: string): void {
  const li = document.createElement('li');
  li.textContent = line;
  const list = $('log');
  list.prepend(li);
  while (list.children.length > 50) list.lastElementChild!.remove();
}

/** The join code, or why students cannot join now (no server to join). */
function showJoinOpen(open: boolean, why = ''): void {
  for (const id of ['join-live', 'qr-big', 'join-url-big', 'join-code-big']) $(id).hidden = !open;
  for (const id of ['join-closed', 'join-closed-big']) {
    $(id).hidden = open;
    $(id).textContent = why;
  }
  $<HTMLButtonElement>('show-join').disabled = !open;
}

/**
 * The socket dropped. A run that had finished means the coordinator closed after it (no
 * --keep-alive, or Ctrl-C): say so, not "disconnected". Otherwise the coordinator is out of reach,
 * and socket.io keeps trying: the snapshot it gets back restores everything.
 */
function showOffline(): void {
  const finished = lastRun?.state === 'finished';
  const banner = $('banner');
  banner.hidden = false;
  banner.className = finished ? 'closed' : 'offline';
  banner.textContent = finished
    ? 'The run finished and the coordinator has closed: nothing more trains here, and its results are saved in its run directory. ' +
      'This page comes back by itself if a coordinator starts again at this address.'
    : 'The coordinator cannot be reached: it stopped, or the network is down. Nothing trains meanwhile. ' +
      'This page reconnects by itself when the coordinator is back.';
  setBadge(finished ? 'closed' : 'offline', finished ? 'finished' : 'offline');
  workers.setOffline(finished ? 'none: the coordinator has closed' : 'unknown while the coordinator is offline');
  showJoinOpen(false, finished ? 'The class has closed: students cannot join now.' : 'Students cannot join while the coordinator is offline.');
  $('waiting-for').hidden = true;
  disableControls();
}

function showOnline(): void {
  $('banner').hidden = true;
  showJoinOpen(true);
}

/** Said where the join code would be, to a viewer without the teacher token. */
const JOIN_HIDDEN = 'The join code shows here for the teacher only: open the dashboard link the coordinator printed (with #token=…) or paste the teacher token.';

// The token lets the coordinator send the join code, which it keeps from other viewers.
const socket: Socket<DashboardServerEvents, ViewerClientEvents> = io(DASHBOARD_NS, { auth: { token: token ?? '' } });
socket.on('snapshot', (s) => {
  runUpdates++;
  showOnline();
  showRun(s.run);
  curves.reset(s.history, s.scalars);
  workers.set(s.workers);
  $('log').replaceChildren();
  s.log.forEach(logLine);
  drawPreview($('preview'), $('preview-title'), $('preview-empty'), s.preview);
  if (s.join) join(s.join);
  else showJoinOpen(false, JOIN_HIDDEN);
  document.body.dataset.ready = 'true';
});
socket.on('run', (run) => {
  runUpdates++;
  showRun(run);
});
socket.on('join', join);
socket.on('points', (p) => curves.add(p));
socket.on('scalar', (p) => curves.addScalar(p));
socket.on('workers', (w) => workers.set(w));
socket.on('preview', (p) => drawPreview($('preview'), $('preview-title'), $('preview-empty'), p));
socket.on('log', logLine);
socket.on('disconnect', (reason) => {
  showOffline();
  // socket.io retries by itself after a lost connection, but not after the server closed the socket.
  if (reason === 'io server disconnect') socket.connect();
});
socket.on('connect_error', () => {
  if ($('banner').hidden) showOffline();
});

$('smoothing').addEventListener('input', (e) => {
  const w = Number((e.target as HTMLInputElement).value);
  $('smoothing-value').textContent = w.toFixed(2);
  curves.setSmoothing(w);
});
$('show-join').addEventListener('click', () => {
  // Sized to the window now: the page may have been turned or resized since the code was drawn.
  if (lastJoin) void drawBigQr(lastJoin, $<HTMLCanvasElement>('qr-big'));
  $<HTMLDialogElement>('join-dialog').showModal();
});

function setStatus(text: string, kind: 'ok' | 'error' | 'muted'): void {
  const status = $('control-status');
  status.textContent = text;
  status.className = kind;
}

async function control(req: ControlRequest): Promise<boolean> {
  setStatus(`${req.action}…`, 'muted');
  const seen = runUpdates;
  try {
    const { status, reply } = await sendControl(token, req);
    setStatus(reply.ok ? reply.message : reply.error, reply.ok ? 'ok' : 'error');
    // The reply's state is as of the request: a stop's "stopping" can arrive after the socket said
    // "finished" (the round ended first), and must not put the badge back.
    if (reply.ok && runUpdates === seen) showRun(reply.run);
    showTokenForm(status === 401);
    return reply.ok;
  } catch (e) {
    setStatus(`The coordinator did not answer: ${(e as Error).message}`, 'error');
    return false;
  }
}

function showTokenForm(show: boolean): void {
  $('token-form').hidden = !show;
  if (show) $<HTMLInputElement>('token').focus();
}

/** The rules of each field, in the words the server uses for them (control-route.ts). */
const FIELD_RULES: Record<string, string> = {
  lr: 'the learning rate must be a number from 1e-12 to 10',
  'new-lr': 'the learning rate must be a number from 1e-12 to 10',
  batch: 'the batch must be a whole number from 1 to 65,536',
  'new-batch': 'the batch must be a whole number from 1 to 65,536',
  token: 'paste the teacher token first',
};

// The browser refuses a form with a bad field (batch 0, -3, 2.5) without submitting it: the status
// line says why instead of showing the previous answer.
for (const form of document.querySelectorAll('form')) {
  form.addEventListener('invalid', (e) => {
    const input = e.target as HTMLInputElement;
    setStatus(FIELD_RULES[input.id] ?? input.validationMessage, 'error');
  }, true);
}

/** A rate the browser lets through (min="0" allows 0) but the server refuses: said here, before sending. */
function checkRate(input: HTMLInputElement): number | undefined {
  const v = Number(input.value);
  if (v >= 1e-12 && v <= 10) return v;
  setStatus(FIELD_RULES[input.id]!, 'error');
  input.focus();
  return undefined;
}

$('token-form').hidden = Boolean(token);
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $<HTMLInputElement>('token').value.trim();
  saveToken(token);
  $('token-form').hidden = true;
  // Again with the token: the snapshot that comes back holds the join code.
  socket.auth = { token };
  socket.disconnect().connect();
  setStatus('teacher token saved for this tab', 'ok');
});
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
  b.addEventListener('click', () => void control({ action: b.dataset.action as 'pause' | 'resume' | 'stop' | 'checkpoint' }));
}
$('lr-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const learningRate = checkRate(controlEls.lr);
  if (learningRate !== undefined) void control({ action: 'set-lr', learningRate });
});
$('batch-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void control({ action: 'set-batch', batch: Number(controlEls.batch.value) });
});
controlEls.model.addEventListener('change', () => lastRun && showNewRunDefaults(lastRun, controlEls));
$('new-run-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const { model, newBatch, newLr } = controlEls;
  const learningRate = newLr.value === '' ? undefined : checkRate(newLr);
  if (newLr.value !== '' && learningRate === undefined) return;
  // Empty fields keep the model's defaults, which their placeholders show.
  const req: ControlRequest = {
    action: 'new-run',
    model: model.value,
    ...(newBatch.value !== '' && { batch: Number(newBatch.value) }),
    ...(learningRate !== undefined && { learningRate }),
  };
  void control(req).then((ok) => {
    if (ok) newBatch.value = newLr.value = '';
  });
});
