/** What a TabSession is given, and the socket its parts share. */
import type * as Comlink from 'comlink';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@shardgrad/protocol';
import type { ComputeApi } from './compute-api.ts';
import type { SavedContribution } from './contribution.ts';
import type { PageOptions } from './page-options.ts';

export interface SessionDeps {
  origin: string;
  options: PageOptions;
  compute: Comlink.Remote<ComputeApi>;
  /**
   * What outlives a reload of the page (the tab's sessionStorage): the resume key, so a student who
   * reloads comes back as the same worker, not as a second one; and the tab's own counts of its
   * work, which would otherwise restart at 0 while the coordinator's count for the same worker
   * carried on.
   */
  memory?: { load(): TabMemory; save(m: TabMemory): void };
}

export interface TabMemory extends SavedContribution {
  resumeKey?: string;
}

export type WorkerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
