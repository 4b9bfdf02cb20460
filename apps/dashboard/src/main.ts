import { io, type Socket } from 'socket.io-client';
import type { ControlRequest, DASHBOARD_NAMESPACE, DashboardRun, DashboardServerEvents, JoinInfo, ViewerClientEvents } from '@shardgrad/protocol';
import { Curves } from './charts.ts';
import { disableControls, saveToken, sendControl, syncControls, takeToken } from './controls.ts';
import { showJoin } from './join-panel.ts';
import { drawPreview } from './preview.ts';
import { WorkersTable } from './workers-table.ts';
import './styles.css';

/** The protocol's constant, checked against it but not imported at run time: that would bundle zod. */
const DASHBOARD_NS: typeof DASHBOARD_NAMESPACE = '/dashboard';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let token = takeToken();
const curves = new Curves({ loss: $('chart-loss'), metric: $('chart-metric'), speed: $('chart-speed'), scalars: $('chart-scalars') });
const workers = new WorkersTable($<HTMLTableElement>('workers').tBodies[0]!, $('worker-count'));
const controlEls = { lr: $<HTMLInputElement>('lr'), batch: $<HTMLInputElement>('batch'), model: $<HTMLSelectElement>('new-model') };

/** Run states pushed over the socket so far: a control's reply may arrive after a newer one. */
let runUpdates = 0;

function showRun(run: DashboardRun): void {
  $('run-info').textContent =
    `${run.model} on ${run.dataset} · step ${run.step} · batch ${run.batch} · ${run.optimizer} lr ${run.learningRate} · ` +
    `${run.parameters.toLocaleString('en')} parameters · run ${run.runId}`;
  const badge = $('state');
  badge.textContent = run.state;
  badge.className = `badge ${run.state}`;
  syncControls(run, controlEls);
}

function join(j: JoinInfo): void {
  void showJoin(j, { qr: $('qr'), url: $('join-url'), code: $('join-code'), qrBig: $('qr-big'), urlBig: $('join-url-big'), codeBig: $('join-code-big') });
}

function logLine(line: string): void {
  const li = document.createElement('li');
  li.textContent = line;
  const list = $('log');
  list.prepend(li);
  while (list.children.length > 50) list.lastElementChild!.remove();
}

const socket: Socket<DashboardServerEvents, ViewerClientEvents> = io(DASHBOARD_NS);
socket.on('snapshot', (s) => {
  runUpdates++;
  showRun(s.run);
  curves.reset(s.history, s.scalars);
  workers.set(s.workers);
  $('log').replaceChildren();
  s.log.forEach(logLine);
  drawPreview($('preview'), $('preview-title'), $('preview-empty'), s.preview);
  join(s.join);
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
socket.on('disconnect', () => {
  $('state').textContent = 'disconnected';
  $('state').className = 'badge finished';
  disableControls();
});

$('smoothing').addEventListener('input', (e) => {
  const w = Number((e.target as HTMLInputElement).value);
  $('smoothing-value').textContent = w.toFixed(2);
  curves.setSmoothing(w);
});
$('show-join').addEventListener('click', () => $<HTMLDialogElement>('join-dialog').showModal());

async function control(req: ControlRequest): Promise<void> {
  const status = $('control-status');
  status.textContent = `${req.action}…`;
  const seen = runUpdates;
  try {
    const r = await sendControl(token, req);
    status.textContent = r.ok ? r.message : `refused: ${r.error}`;
    status.className = r.ok ? 'ok' : 'error';
    // The reply's state is as of the request: a stop's "stopping" can arrive after the socket said
    // "finished" (the round ended first), and must not put the badge back.
    if (r.ok && runUpdates === seen) showRun(r.run);
    $('token-form').hidden = r.ok || !/token/.test(r.error);
  } catch (e) {
    status.textContent = `failed: ${(e as Error).message}`;
    status.className = 'error';
  }
}

$('token-form').hidden = Boolean(token);
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $<HTMLInputElement>('token').value.trim();
  saveToken(token);
  $('token-form').hidden = true;
});
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
  b.addEventListener('click', () => void control({ action: b.dataset.action as 'pause' | 'resume' | 'stop' | 'checkpoint' }));
}
$('lr-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void control({ action: 'set-lr', learningRate: Number(controlEls.lr.value) });
});
$('batch-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void control({ action: 'set-batch', batch: Number(controlEls.batch.value) });
});
$('new-run-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void control({ action: 'new-run', model: controlEls.model.value });
});
