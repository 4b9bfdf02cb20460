/** The coordinator could not listen where it was told to: each cause is fixed with --host or --port. */
export class ListenError extends Error {
  override name = 'ListenError';
}

export function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new ListenError(`cannot listen on ${where}: the port is in use (another coordinator?); pick another with --port, or --port 0 for any free one`);
    case 'EACCES':
      return new ListenError(`cannot listen on ${where}: ports below 1024 need privileges; pick another with --port`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`cannot listen on ${where}: no such host (--host takes an address of this machine, e.g. 127.0.0.1 or 0.0.0.0)`);
    case 'EADDRNOTAVAIL':
      return new ListenError(`cannot listen on ${where}: ${host} is not an address of this machine (--host)`);
    default:
      return e;
  }
}
