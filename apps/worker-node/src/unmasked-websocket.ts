import { NodeWebSocket } from 'engine.io-client';

/**
 * The WebSocket transport of engine.io-client with client frames sent unmasked (a zero mask, which
 * `ws` then skips on both ends). Masking exists so that a browser's script cannot craft bytes that
 * a caching proxy on the path would mistake for HTTP; a Node worker runs no foreign script, and
 * masking the 400 kB gradient of every round byte by byte in JavaScript cost the worker about as
 * much time as computing the gradient of a 64-sample shard (profiled: `_mask` was the hottest
 * JavaScript function of the worker). Browser tabs keep their browser's own masking.
 */
export class UnmaskedWebSocket extends NodeWebSocket {
  override createSocket(uri: string, protocols: string | string[] | undefined, opts: Record<string, unknown>) {
    return super.createSocket(uri, protocols, { ...opts, generateMask: zeroMask });
  }
}

const zeroMask = (mask: Uint8Array) => mask.fill(0);
