import { describe, expect, it } from 'vitest';
import { storedMemory } from './tab-memory.ts';

const storage = (initial?: string) => {
  const items = new Map<string, string>(initial === undefined ? [] : [['k', initial]]);
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
};

const nothing = { resumeKey: undefined, runId: undefined, contribution: undefined, allRuns: undefined };

describe('storedMemory', () => {
  it("gives back the resume key, the run counted and the tab's counts it saved: a reload carries on from them", () => {
    const s = storage();
    const saved = { resumeKey: 'abc', runId: 'run-1', contribution: { samples: 640, rounds: 20 }, allRuns: { samples: 1000, rounds: 31 } };
    storedMemory(s, 'k').save(saved);
    expect(storedMemory(s, 'k').load()).toEqual(saved);
  });

  it('remembers nothing from an empty, unreadable or tampered store, and does not throw', () => {
    expect(storedMemory(storage(), 'k').load()).toEqual(nothing);
    expect(storedMemory(storage('{not json'), 'k').load()).toEqual({});
    expect(storedMemory(storage('null'), 'k').load()).toEqual(nothing);
    expect(storedMemory(storage(JSON.stringify({ resumeKey: 7, runId: 3, contribution: { samples: -1, rounds: 2 }, allRuns: null })), 'k').load()).toEqual(nothing);
    expect(storedMemory(storage(JSON.stringify({ contribution: { samples: 1.5, rounds: 'x' } })), 'k').load().contribution).toBeUndefined();
  });
});
