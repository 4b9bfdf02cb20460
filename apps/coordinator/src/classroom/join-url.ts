import { networkInterfaces } from 'node:os';

/**
 * The address students can reach: the explicit `publicUrl` when given (behind a proxy, a DNS name),
 * else the listening URL, with a wildcard bind replaced by this machine's first LAN address —
 * 127.0.0.1 on a phone's screen would point at the phone.
 */
export function publicOrigin(listeningUrl: string, host: string | undefined, publicUrl?: string): string {
  if (publicUrl) {
    const u = new URL(publicUrl);
    return `${u.origin}${u.pathname.replace(/\/$/, '')}`;
  }
  const u = new URL(listeningUrl);
  if (host === '0.0.0.0' || host === '::') {
    const lan = lanAddress();
    if (lan) u.hostname = lan;
  }
  return u.origin;
}

/** The join page's URL with the class code, as the QR code carries it. */
export function joinUrl(origin: string, code: string | undefined): string {
  return code ? `${origin}/?code=${encodeURIComponent(code)}` : `${origin}/`;
}

function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
