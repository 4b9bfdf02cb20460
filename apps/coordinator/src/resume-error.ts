/** A --resume that cannot be honoured: no such path, no checkpoint in it, not a checkpoint, another run's or model's. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}
