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
import { keepNickname, savedNickname } from './leaderboard.ts';

const origin = location.origin;
/** A student reads the page a few times a second at most; drawing more often costs compute (render-throttle.ts). */
const DRAW_INTERVAL_MS = 250;
const MAX_NICKNAME = 40;
let session: TabSession | undefined;
const view = createView(() => {
  if (!session) return;
  const phase = session.snapshot.phase;
  if (phase === 'paused' || phase === 'finished') session.resume();
  else session.pause();
});

/** The page's one picture: the tab's state and the class total, drawn together (render-throttle.ts). */
interface PageState {
  tab: TabSnapshot;
  total?: ClassTotal;
}

try {
  const options = parsePageOptions(location.search);
  options.nickname = savedNickname(options.nickname);
  const worker = new Worker(new URL('./compute.worker.js', import.meta.url), { type: 'module', name: 'shardgrad-compute' });
  const compute = Comlink.wrap<ComputeApi>(worker);
  const tab = new TabSession({ origin, options, compute, memory: storedMemory(sessionStorage, 'shardgrad-tab') });
  session = tab;
  const state: PageState = { tab: tab.snapshot };
  const draw = throttleDraw((s: PageState) => view.show(s.tab, s.total), DRAW_INTERVAL_MS);
  tab.onChange((s) => {
    state.tab = s;
    // Errors and the code prompt show at once: nothing older may draw over them.
    if (s.phase === 'error' || s.phase === 'code') draw.now({ ...state });
    else draw.update({ ...state });
  });
  watchClassTotal(origin, (t) => {
    state.total = t;
    draw.update({ ...state });
    tab.classChanged(t);
  });
  watchNameForm(tab, options.nickname);
  watchCodeForm(tab, options.code);
  // Closing or navigating away: leave at once, so the coordinator reassigns our shard without waiting.
  addEventListener('pagehide', () => tab.leave());
  worker.addEventListener('error', (e) => draw.now({ ...state, tab: { ...tab.snapshot, phase: 'error', message: `compute worker failed: ${e.message}` } }));
  // For tests and the curious: read the state, or simulate a GPU loss (`shardgrad.loseDevice()`).
  Object.assign(globalThis, { shardgrad: { snapshot: () => tab.snapshot, loseDevice: () => compute.loseDevice() } });
  // A class that needs a code, opened without one (the URL typed by hand): ask before downloading anything.
  void needsCode(origin).then((needed) => (needed && !options.code ? tab.askForCode("Type the class code from the teacher's screen to join.") : tab.start()));
} catch (e) {
  view.show({ phase: 'error', message: (e as Error).message, contribution: { samples: 0, rounds: 0 }, allRuns: { samples: 0, rounds: 0 }, fallbacks: [] }, undefined);
}

/** Saving a name renames the tab where it stands: no reload, no new backend test (session.rename). */
function watchNameForm(tab: TabSession, initial: string | undefined): void {
  const input = document.getElementById('name') as HTMLInputElement;
  input.value = initial ?? '';
  document.getElementById('name-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = input.value.trim().slice(0, MAX_NICKNAME) || undefined;
    input.value = name ?? '';
    keepNickname(name);
    tab.rename(name);
  });
}

/** The code form shows while the session asks for a code (none in the link, or one refused). */
function watchCodeForm(tab: TabSession, initial: string | undefined): void {
  const form = document.getElementById('code-form') as HTMLFormElement;
  const input = document.getElementById('code') as HTMLInputElement;
  input.value = initial ?? '';
  tab.onChange((s) => {
    const asking = s.phase === 'code';
    if (asking && form.hidden) input.focus();
    form.hidden = !asking;
  });
  // A typed code joins through the URL, as a scanned QR code does (?code=), so a reload keeps it.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams(location.search);
    q.set('code', input.value.trim().toUpperCase());
    location.search = q.toString();
  });
}

async function needsCode(at: string): Promise<boolean> {
  try {
    const res = await fetch(`${at}/api/status`, { cache: 'no-store' });
    return res.ok && ((await res.json()) as { joinCodeRequired?: boolean }).joinCodeRequired === true;
  } catch {
    return false; // the session's own start says what is wrong with the class server
  }
}
