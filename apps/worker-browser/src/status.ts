/**
 * The status line at the top of the join page: a title and a message, both from one state (the
 * tab's snapshot and the class stats) in one place, so they can never tell two stories.
 */
import type { WorkersWaitedFor } from '@shardgrad/protocol';
import type { ClassTotal } from './class-total.ts';
import type { Phase, TabSnapshot } from './session.ts';

export interface StatusLine {
  title: string;
  message: string;
}

const PHASE_TITLES: Record<Phase, string> = {
  connecting: 'Connecting',
  code: 'Enter the class code',
  downloading: 'Downloading data',
  calibrating: 'Testing this device',
  waiting: 'Waiting',
  training: 'Training',
  paused: 'Paused',
  finished: 'Finished',
  error: 'Error',
};

/** "Waiting for more classmates to join (1 of 2)…", when the class stats say what the run needs. */
function classmatesMessage(w: WorkersWaitedFor | undefined): string {
  if (!w) return 'Joined. Training starts when enough classmates have joined…';
  return `Waiting for more classmates to join (${w.have} of ${w.needed})…`;
}

/**
 * Why a tab that is in the class gets no work, where the class stats say more than the tab can
 * see (its socket only knows that no task comes); undefined while the class trains.
 */
export function classWait(t: ClassTotal | undefined): StatusLine | undefined {
  switch (t?.runState) {
    case 'paused':
      // Step 0: a run held for the class to gather (coordinator --start-paused), not one interrupted.
      if (t.steps === 0) return { title: 'Waiting for the teacher to start', message: 'The class is gathering; training starts when the teacher presses Start.' };
      return { title: 'Paused by the teacher', message: 'The teacher has paused training; this tab carries on when it resumes.' };
    case 'stopping':
      return { title: 'Stopping', message: 'The teacher is stopping the run.' };
    case 'finished':
      return { title: 'Run ended', message: 'This run has ended. Keep the page open: if the teacher starts another, this tab joins it.' };
    case 'waiting':
      return { title: 'Waiting for classmates', message: classmatesMessage(t.waitingFor) };
    default:
      return undefined;
  }
}

/** The one status the page shows: the class's reason to wait where it has one, else the tab's own phase. */
export function describeStatus(s: Pick<TabSnapshot, 'phase' | 'message'>, t: ClassTotal | undefined): StatusLine {
  const why = s.phase === 'waiting' && !t?.offline ? classWait(t) : undefined;
  return why ?? { title: PHASE_TITLES[s.phase], message: s.message };
}
