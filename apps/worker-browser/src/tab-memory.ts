import type { TabMemory } from './session.ts';

/** A TabSession's memory as one JSON value in a Storage; anything unreadable counts as nothing remembered. */
export function storedMemory(storage: Pick<Storage, 'getItem' | 'setItem'>, key: string): { load(): TabMemory; save(m: TabMemory): void } {
  return {
    load: () => {
      try {
        const m = JSON.parse(storage.getItem(key) ?? '{}') as TabMemory | null;
        const c = m?.contribution;
        const counts = c !== undefined && [c.samples, c.rounds].every((v) => Number.isSafeInteger(v) && v >= 0);
        return { resumeKey: typeof m?.resumeKey === 'string' ? m.resumeKey : undefined, contribution: counts ? { samples: c.samples, rounds: c.rounds } : undefined };
      } catch {
        return {};
      }
    },
    save: (m) => storage.setItem(key, JSON.stringify(m)),
  };
}
