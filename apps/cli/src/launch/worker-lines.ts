/**
 * What a worker started by the launcher prints (`shardgrad worker --json`: one JSON object per line)
 * turned into what the launcher prints: the event with its rank, or a human line tagged `[rank N]`.
 */

/** One line for the launcher's output: `event` under --json, `text` otherwise (null: nothing to say). */
export interface RankedLine {
  event: Record<string, unknown> | null;
  text: string | null;
}

/** Per-shard progress: one per worker per round, it would bury the events an operator looks for. */
const QUIET_TYPES = new Set(['shard']);

/** How a worker's events read to an operator watching the launcher's log. */
function describe(e: Record<string, unknown>): string {
  switch (e.type) {
    case 'backend':
      return `backend: ${e.backend} (${e.detail})`;
    case 'joined':
      return `joined run ${e.runId}: ${e.model} on ${e.backend}`;
    case 'disconnected':
      return `disconnected: ${e.reason} (${e.pending} results pending); reconnecting`;
    case 'resumed':
      return `reconnected to run ${e.runId} (${e.resent} results sent again)`;
    case 'new-run':
      return `the coordinator started a new run: ${e.reason}`;
    case 'stopped':
      return `stopped by the coordinator: ${e.reason}`;
    case 'result-refused':
      return `result for round ${e.round} refused: ${e.reason}${e.message ? ` (${e.message})` : ''}`;
    case 'worker-done':
      return `worker finished: ${e.reason}`;
    case 'error':
      return `error: ${e.message}`;
    default:
      return JSON.stringify(e);
  }
}

function parseEvent(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Translates one stdout line of worker `rank`. Lines that are not events (a library's banner) pass on as text. */
export function rankedWorkerLine(rank: number, line: string): RankedLine {
  if (line.trim() === '') return { event: null, text: null };
  const e = parseEvent(line);
  if (!e) return { event: { type: 'worker-output', rank, line }, text: `[rank ${rank}] ${line}` };
  if (QUIET_TYPES.has(e.type as string)) return { event: null, text: null };
  return { event: { ...e, rank }, text: `[rank ${rank}] ${describe(e)}` };
}
