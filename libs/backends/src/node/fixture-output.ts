import { disposeNodeBackend } from '../node.ts';

/**
 * Runs a webgpu fixture's body and prints its result, or its error, as the one JSON line that
 * webgpu.spec.ts reads; Dawn is released either way, or the process would not exit.
 */
export function printFixtureResult(body: () => Promise<object>): void {
  const run = async () => {
    try {
      return await body();
    } finally {
      await disposeNodeBackend();
    }
  };
  run().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (e: unknown) => {
      process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
      process.exitCode = 1;
    },
  );
}
