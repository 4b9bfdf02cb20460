import type { Coordinator } from './coordinator.ts';
import type { CoordinatorEvent } from './events.ts';

/** The coordinator's next event of `type` (the first one after this call), for scripts and tests that drive a run. */
export function nextEvent<T extends CoordinatorEvent['type']>(c: Coordinator, type: T): Promise<Extract<CoordinatorEvent, { type: T }>> {
  return new Promise((resolve) => {
    const on = (e: CoordinatorEvent) => {
      if (e.type !== type) return;
      c.off('event', on);
      resolve(e as Extract<CoordinatorEvent, { type: T }>);
    };
    c.on('event', on);
  });
}
