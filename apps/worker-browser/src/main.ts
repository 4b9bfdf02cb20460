/**
 * The join page's entry (main thread). It owns the UI and the socket; tfjs runs in the compute Web
 * Worker behind Comlink, so the page stays responsive while shards compute.
 */
import * as Comlink from 'comlink';
import { watchClassTotal, type ClassTotal } from './class-total.ts';
import type { ComputeApi } from './compute-api.ts';
import { parsePageOptions } from './page-options.ts';
import { TabSession, type TabSnapshot } from './session.ts';
import { storedMemory } from './tab-memory.ts';
import { throttleDraw } from './render-throttle.ts';
import { createView } from './view.ts';
import { rejoinAs, savedNickname } from './leaderboard.ts';

const origin = location.origin;
/** A student reads the page a few times a second at most; drawing more often costs compute (render-throttle.ts). */
const DRAW_INTERVAL_MS = 250;
let session: TabSession | undefined;
const view = createView(() => {
  if (!session) return;
  const phase = session.snapshot.phase;
  if (phase === 'paused' || phase === 'finished') session.resume();
  else session.pause();
});

try {
  const options = parsePageOptions(location.search);
  options.nickname = savedNickname(options.nickname);
  const nameInput = document.getElementById('name') as HTMLInputElement;
  nameInput.value = options.nickname ?? '';
  document.getElementById('name-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = nameInput.value.trim().slice(0, 40);
    if (name !== (options.nickname ?? '')) rejoinAs(name);
  });
  const worker = new Worker(new URL('./compute.worker.js', import.meta.url), { type: 'module', name: 'shardgrad-compute' });
  const compute = Comlink.wrap<ComputeApi>(worker);
  session = new TabSession({ origin, options, compute, memory: storedMemory(sessionStorage, 'shardgrad-tab') });
  const sessionView = throttleDraw((s: TabSnapshot) => view.showSession(s), DRAW_INTERVAL_MS);
  const classView = throttleDraw((t: ClassTotal) => view.showClass(t), DRAW_INTERVAL_MS);
  session.onChange((s) => (s.phase === 'error' ? sessionView.now(s) : sessionView.update(s)));
  watchClassTotal(origin, (t) => classView.update(t));
  // Closing or navigating away: leave at once, so the coordinator reassigns our shard without waiting.
  addEventListener('pagehide', () => session?.leave());
  worker.addEventListener('error', (e) => sessionView.now({ ...session!.snapshot, phase: 'error', message: `compute worker failed: ${e.message}` }));
  // For tests and the curious: read the state, or simulate a GPU loss (`shardgrad.loseDevice()`).
  Object.assign(globalThis, { shardgrad: { snapshot: () => session!.snapshot, loseDevice: () => compute.loseDevice() } });
  const codeForm = document.getElementById('code-form') as HTMLFormElement;
  const codeInput = document.getElementById('code') as HTMLInputElement;
  codeInput.value = options.code ?? '';
  // A typed code joins through the URL, as a scanned QR code does (?code=), so a reload keeps it.
  codeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams(location.search);
    q.set('code', codeInput.value.trim().toUpperCase());
    location.search = q.toString();
  });
  const askForCode = (message: string) => {
    codeForm.hidden = false;
    codeInput.focus();
    sessionView.now({ ...session!.snapshot, phase: 'error', message });
  };
  // Refused for its code (a typo, an old code): ask again rather than leave the student at a dead end.
  session.onChange((s) => {
    if (s.phase === 'error' && s.refused === 'unauthorized') askForCode('That code was not accepted: type the one on the teacher\'s screen.');
  });
  // A class that needs a code, opened without one (the URL typed by hand): ask before downloading anything.
  void needsCode(origin).then((needed) => (needed && !options.code ? askForCode('Type the class code from the teacher\'s screen to join.') : session!.start()));
} catch (e) {
  view.showSession({ phase: 'error', message: (e as Error).message, contribution: { samples: 0, rounds: 0 }, fallbacks: [] });
}

async function needsCode(at: string): Promise<boolean> {
  try {
    const res = await fetch(`${at}/api/status`, { cache: 'no-store' });
    return res.ok && ((await res.json()) as { joinCodeRequired?: boolean }).joinCodeRequired === true;
  } catch {
    return false; // the session's own start says what is wrong with the coordinator
  }
}
