/**
 * The students' side of the class stats: the leaderboard, this tab's place in it, and the name a
 * student chose (kept in this browser, so it survives a reload).
 */
import type { ContributionRow } from '@shardgrad/protocol';

const NAME_KEY = 'shardgrad-nickname';
/** Rows shown; a student further down sees their own row below the top ones. */
const TOP = 10;
const fmt = new Intl.NumberFormat();

/** "under a minute", "3 min", "1 h 05 min": how long a tab has helped. */
export function formatMinutes(minutes: number): string {
  const m = Math.floor(minutes);
  if (m < 1) return 'under a minute';
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function showLeaderboard(list: HTMLOListElement, rows: readonly ContributionRow[], me: string | undefined): void {
  const rank = rows.findIndex((r) => r.workerId === me);
  const shown = rows.slice(0, TOP).map((r, i) => ({ r, i }));
  if (rank >= TOP) shown.push({ r: rows[rank]!, i: rank });
  list.replaceChildren(
    ...shown.map(({ r, i }) => {
      const li = document.createElement('li');
      const place = document.createElement('span');
      place.className = 'rank';
      place.textContent = String(i + 1);
      li.classList.toggle('me', r.workerId === me);
      li.classList.toggle('gone', !r.live);
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = `${r.nickname}${r.workerId === me ? ' (you)' : ''}`;
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = r.kind === 'browser' ? 'tab' : r.kind;
      const n = document.createElement('span');
      n.className = 'num';
      n.textContent = fmt.format(r.samples);
      li.append(place, name, kind, n);
      return li;
    }),
  );
}

/** The name from the join link wins; otherwise the one saved in this browser. */
export function savedNickname(fromLink: string | undefined): string | undefined {
  if (fromLink) return fromLink;
  try {
    return localStorage.getItem(NAME_KEY) ?? undefined;
  } catch {
    return undefined; // storage blocked (private mode): no saved name
  }
}


/**
 * Keeps the name for this browser and in the address (without reloading), so a reload or a shared
 * link keeps it; the session joins again under it.
 */
export function keepNickname(name: string | undefined): void {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
    else localStorage.removeItem(NAME_KEY);
  } catch {
    // storage blocked: the address carries it anyway
  }
  const url = new URL(location.href);
  if (name) url.searchParams.set('name', name);
  else url.searchParams.delete('name');
  history.replaceState(history.state, '', url);
}
