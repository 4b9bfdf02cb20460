/** Backends a Node worker can run on. `auto` = tensorflow when importable, else wasm. */
export type NodeBackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

export const NODE_BACKEND_NAMES: readonly NodeBackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

export function isNodeBackendName(name: unknown): name is NodeBackendName {
  return typeof name === 'string' && (NODE_BACKEND_NAMES as readonly string[]).includes(name);
}

/** Validates a backend name from a CLI flag or config, with an error that lists the choices. */
export function parseNodeBackendName(name: unknown): NodeBackendName {
  if (isNodeBackendName(name)) return name;
  throw new Error(
    `Unknown backend ${JSON.stringify(name)}: expected one of ${NODE_BACKEND_NAMES.join(', ')}`,
  );
}
