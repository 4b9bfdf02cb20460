/** Bumped on any incompatible change to the events or message shapes below. */
export const PROTOCOL_VERSION = 1;
