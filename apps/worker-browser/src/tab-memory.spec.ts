import { describe, expect, it } from 'vitest';
import { storedMemory } from './tab-memory.ts';

const storage = (initial?: string) => {
  const items = new Map<string, string>(initial === undefined ? [] : [['k', initial]]);
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
};

describe('storedMemory', () => {
  it("gives back the resume key and the tab's counts it saved: a reload carries on from them", () => {
    const s = storage();
    storedMemory(s, 'k').save({ resumeKey: 'abc', contribution: { samples: 640, rounds: 20 } });
    expect(storedMemory(s, 'k').load()).toEqual({ resumeKey: 'abc', contribution: { samples: 640, rounds: 20 } });
  });

  it('remembers nothing from an empty, unreadable or tampered store, and does not throw', () => {
    expect(storedMemory(storage(), 'k').load()).toEqual({ resumeKey: undefined, contribution: undefined });
    expect(storedMemory(storage('{not json'), 'k').load()).toEqual({});
    expect(storedMemory(storage('null'), 'k').load()).toEqual({ resumeKey: undefined, contribution: undefined });
    expect(storedMemory(storage(JSON.stringify({ resumeKey: 7, contribution: { samples: -1, rounds: 2 } })), 'k').load()).toEqual({ resumeKey: undefined, contribution: undefined });
    expect(storedMemory(storage(JSON.stringify({ contribution: { samples: 1.5, rounds: 'x' } })), 'k').load().contribution).toBeUndefined();
  });
});
