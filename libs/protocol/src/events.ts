import type { Hello, JoinAck, ResultHeader, RunInfo, SubmitAck, Task } from './messages.ts';

/** socket.io event map, worker → coordinator. Payloads are validated on arrival: types alone are not trusted. */
export interface ClientToServerEvents {
  hello: (hello: Hello, ack: (reply: JoinAck) => void) => void;
  /** Sent once the worker has built the model and loaded the data; only then does it get tasks. */
  ready: (info: { samplesPerSecond?: number }) => void;
  result: (header: ResultHeader, tensors: Uint8Array, ack: (reply: SubmitAck) => void) => void;
  /** The worker leaves on purpose (pause, close); its outstanding shard is reassigned at once. */
  leave: () => void;
}

/** socket.io event map, coordinator → worker. */
export interface ServerToClientEvents {
  task: (task: Task) => void;
  run: (run: RunInfo) => void;
  stop: (reason: string) => void;
}
