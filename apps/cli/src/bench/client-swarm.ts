/**
 * Simulated clients in one process of their own, for the `clients` bench suite: each joins the
 * coordinator like a tab, and answers every task at once with a well-formed gradient of the run's
 * model (the same small random values each time), so the coordinator does all its per-result work
 * (decode, checks, aggregation) for every one of them. Computing nothing, they load the coordinator
 * as a classroom of real tabs would, without the tabs' compute in the way.
 * Arguments: coordinator URL, number of clients, the run's tensor specs and the model's metric names
 * as JSON (the coordinator's own, so this process builds no model). Prints {"joined": n} once all
 * have joined.
 */
import { io } from 'socket.io-client';
import { encodeTensors, type TensorSpec } from '@shardgrad/codec';
import { seededRandom } from '@shardgrad/data';
import { PROTOCOL_VERSION, type JoinAck, type Task } from '@shardgrad/protocol';
import { UnmaskedWebSocket } from '@shardgrad/worker-node/unmasked-websocket';

const [url = '', countArg = '200', specsArg = '[]', metricsArg = '[]'] = process.argv.slice(2);
const count = Number(countArg);

function gradientPayload(specs: readonly TensorSpec[]): Uint8Array {
  const rng = seededRandom(7);
  return encodeTensors(specs.map((s) => ({ shape: [...s.shape], dtype: 'float32', data: Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 1e-3) })));
}

const payload = gradientPayload(JSON.parse(specsArg) as TensorSpec[]);
// A value every metric can take (accuracies lie in [0, 1], errors are ≥ 0).
const metrics = Object.fromEntries((JSON.parse(metricsArg) as string[]).map((name) => [name, 0.5]));
const join = async (i: number) => {
  // Unmasked frames like the Node workers': masking 400 kB per client in JavaScript would make this
  // process, not the coordinator, what limits the rounds (browsers mask in native code).
  const socket = io(url, { transports: [UnmaskedWebSocket], reconnection: false, forceNew: true });
  const ack = (await socket.timeout(120_000).emitWithAck('hello', { protocol: PROTOCOL_VERSION, kind: 'browser', backend: 'simulated', nickname: `sim-${i}` })) as JoinAck;
  if (!ack.ok) throw new Error(`client ${i} refused: ${ack.message}`);
  const { schemaHash } = ack.run;
  socket.on('task', (t: Task) => {
    const n = t.unit.kind === 'samples' ? t.unit.indices.byteLength / 4 : 1;
    const header = { runId: t.runId, round: t.round, version: t.version, shardId: t.shardId, count: n, loss: 1, metrics, schemaHash, computeMs: 1 };
    socket.emit('result', header, payload, () => undefined);
  });
  socket.emit('ready', { samplesPerSecond: 1000 });
};

for (let i = 0; i < count; i++) await join(i);
process.stdout.write(`${JSON.stringify({ joined: count })}\n`);
