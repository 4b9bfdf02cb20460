/**
 * A saved model that cannot be used as it is on disk: a file missing, unreadable, of the wrong size,
 * not holding what shardgrad wrote, or weights that are not finite numbers. The message names the file.
 */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}
