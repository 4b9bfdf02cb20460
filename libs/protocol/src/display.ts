/**
 * How workers and rates read to people, the same on the dashboard, the student page and the
 * coordinator's activity log. No zod here: the pages import this file alone (`@shardgrad/protocol/display`).
 */

/** Characters of a worker's id that name it where it has no nickname (`w-6b9d6e`). */
export const SHORT_ID_LENGTH = 8;

/** One name per worker everywhere: its nickname, else the first 8 characters of its id. */
export function displayName(w: { id: string; nickname?: string | undefined }): string {
  return w.nickname || w.id.slice(0, SHORT_ID_LENGTH);
}

/** A learning rate in 3 significant digits (0.00162, not 0.0016200000000000001). */
export function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(3)));
}
