/**
 * Simulated clients in one process of their own, for the `clients` bench suite: each joins the
 * coordinator like a tab, and answers every task at once with a well-formed gradient of the run's
 * model (the same small random values each time), so the coordinator does all its per-result work
 * (decode, checks, aggregation) for every one of them. Computing nothing, they load the coordinator
 * as a classroom of real tabs would, without the tabs' compute in the way.
 * Arguments: coordinator URL, number of clients. Prints {"joined": n} once all have joined.
 */
import { io } from 'socket.io-client';
import { encodeTensors, type TensorSpec } from '@shardgrad/codec';
import { seededRandom } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import { PROTOCOL_VERSION, type JoinAck, type RunInfo, type Task } from '@shardgrad/protocol';
import { allSpecs } from '@shardgrad/trainer';
import { UnmaskedWebSocket } from '@shardgrad/worker-node/unmasked-websocket';

const [url = '', countArg = '200'] = process.argv.slice(2);
const count = Number(countArg);

/** The run's tensor layout, from the same model built here. */
async function runSpecs(run: RunInfo): Promise<TensorSpec[]> {
  const dataset = await loadDataset(run.dataset, run.datasetOptions);
  const model = getModel(run.model).build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed: run.seed, config: run.modelConfig });
  try {
    return allSpecs(model);
  } finally {
    model.dispose();
  }
}

function gradientPayload(specs: readonly TensorSpec[]): Uint8Array {
  const rng = seededRandom(7);
  return encodeTensors(specs.map((s) => ({ shape: [...s.shape], dtype: 'float32', data: Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 1e-3) })));
}

let payload: Uint8Array = new Uint8Array(0);
/** Joins without saying ready: no task may come before the payload exists. */
const join = async (i: number) => {
  // Unmasked frames like the Node workers': masking 400 kB per client in JavaScript would make this
  // process, not the coordinator, what limits the rounds (browsers mask in native code).
  const socket = io(url, { transports: [UnmaskedWebSocket], reconnection: false, forceNew: true });
  const ack = (await socket.timeout(120_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'browser', backend: 'simulated', nickname: `sim-${i}` })) as JoinAck;
  if (!ack.ok) throw new Error(`client ${i} refused: ${ack.message}`);
  const run = ack.run;
  socket.on('task', (t: Task) => {
    const n = t.unit.kind === 'samples' ? t.unit.indices.byteLength / 4 : 1;
    const header = { runId: t.runId, round: t.round, version: t.version, shardId: t.shardId, count: n, loss: 1, schemaHash: run.schemaHash, computeMs: 1 };
    socket.emit('result', header, payload, () => undefined);
  });
  return { socket, run };
};

const clients = [await join(0)];
payload = gradientPayload(await runSpecs(clients[0]!.run));
for (let i = 1; i < count; i++) clients.push(await join(i));
for (const c of clients) c.socket.emit('ready', { samplesPerSecond: 1000 });
process.stdout.write(`${JSON.stringify({ joined: count })}\n`);
