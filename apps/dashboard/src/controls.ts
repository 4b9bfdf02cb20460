import type { ControlReply, ControlRequest, DashboardRun } from '@shardgrad/protocol';

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

export async function sendControl(token: string | undefined, req: ControlRequest): Promise<ControlReply> {
  const res = await fetch('/api/control', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(req),
  });
  return (await res.json()) as ControlReply;
}

const FORM_BUTTONS = '#lr-form button, #batch-form button, #new-run-form button';

/** Keeps the controls' inputs in step with the run without overwriting what the teacher is typing. */
export function syncControls(run: DashboardRun, els: { lr: HTMLInputElement; batch: HTMLInputElement; model: HTMLSelectElement }): void {
  if (document.activeElement !== els.lr) els.lr.value = String(run.learningRate);
  if (document.activeElement !== els.batch) els.batch.value = String(run.batch);
  if (els.model.options.length !== run.models.length) {
    queueMicrotask(() => (els.model.value = run.model));
    els.model.replaceChildren(
      ...run.models.map((m) => {
        const o = document.createElement('option');
        o.value = m.name;
        o.textContent = `${m.name} — ${m.summary}`;
        return o;
      }),
    );
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
    const a = b.dataset.action;
    // A finished run has saved its model and closed its directory: only a new run makes sense then;
    // a stopping one can still be checkpointed or followed by a new run.
    const ending = run.state === 'finished' || (run.state === 'stopping' && (a === 'pause' || a === 'resume' || a === 'stop'));
    b.disabled = ending || (a === 'pause' && run.state === 'paused') || (a === 'resume' && run.state !== 'paused');
  }
  // Back after a disconnect (disableControls): the server answers again.
  for (const b of document.querySelectorAll<HTMLButtonElement>(FORM_BUTTONS)) b.disabled = false;
}

/** The server is gone (the run ended without --keep-alive, or the network): nothing can be asked of it. */
export function disableControls(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>(`button[data-action], ${FORM_BUTTONS}`)) b.disabled = true;
}
