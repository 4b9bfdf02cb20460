import type { Counts, TabMemory } from './session.ts';

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** Counts as saved, or undefined where anything in them is not a count. */
function readCounts(c: Partial<Counts> | undefined): Counts | undefined {
  return c !== undefined && c !== null && isCount(c.samples) && isCount(c.rounds) ? { samples: c.samples!, rounds: c.rounds! } : undefined;
}

/** A TabSession's memory as one JSON value in a Storage; anything unreadable counts as nothing remembered. */
export function storedMemory(storage: Pick<Storage, 'getItem' | 'setItem'>, key: string): { load(): TabMemory; save(m: TabMemory): void } {
  return {
    load: () => {
      try {
        const m = JSON.parse(storage.getItem(key) ?? '{}') as TabMemory | null;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        return { resumeKey: text(m?.resumeKey), runId: text(m?.runId), contribution: readCounts(m?.contribution), allRuns: readCounts(m?.allRuns) };
      } catch {
        return {};
      }
    },
    save: (m) => storage.setItem(key, JSON.stringify(m)),
  };
}
