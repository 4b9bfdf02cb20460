import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { dockerfileNames, K8S_BASE, type Json, loadCompose, overlayDirs, readDockerfile, renderKustomization, ROOT } from './deploy-files.ts';
import { composeErrors, dockerfileProblems, validateK8s } from './validators.ts';

describe('deploy/compose.yaml against the Compose Specification schema', () => {
  it('is valid', () => {
    expect(composeErrors(loadCompose())).toEqual([]);
  });

  it('would be refused with a misspelt GPU reservation, a bad duration or a bad ports type (the validator is on)', () => {
    const bad = loadCompose();
    bad.services['gpu-worker'].deploy.resources.reservations.devices[0].capabilites = ['gpu'];
    bad.services.coordinator.healthcheck.interval = '10 seconds';
    bad.services.coordinator.ports = 8080;
    const errors = composeErrors(bad).join('\n');
    expect(errors).toMatch(/devices\/0: must NOT have additional properties .*capabilites/);
    expect(errors).toMatch(/healthcheck\/interval: must match format "duration"/);
    expect(errors).toMatch(/coordinator\/ports: must be array/);
  });
});

describe('deploy/k8s against the Kubernetes OpenAPI schemas (kubernetes-models)', () => {
  const renderings = [K8S_BASE, ...overlayDirs()].map((dir) => [relative(ROOT, dir), renderKustomization(dir)] as const);

  it.each(renderings)('%s: every object is valid', (_dir, objects) => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/shardgrad-coordinator',
      'Job/shardgrad-gpu-workers',
      'PersistentVolumeClaim/shardgrad-runs',
      'Secret/shardgrad-tokens',
      'Service/shardgrad-coordinator',
    ]);
    for (const o of objects) expect(() => validateK8s(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });

  it('would refuse a Job with a wrong type or an unknown completion mode (the validator is on)', () => {
    const job = structuredClone(renderings[0]![1].find((o) => o.kind === 'Job')!);
    job.spec.completions = 'two';
    expect(() => validateK8s(job)).toThrow(/completions must be integer/);
    job.spec.completions = 2;
    job.spec.completionMode = 'Numbered';
    expect(() => validateK8s(job)).toThrow(/completionMode must be equal to one of the allowed values/);
  });

  // kubectl carries kustomize; where it is installed, the overlay as rendered here must be what it renders.
  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!kubectl).each(renderings)('%s: this rendering equals `kubectl kustomize` (skipped without kubectl)', (dir, objects) => {
    const out = execFileSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
    const theirs = parseAllDocuments(out).map((d) => d.toJS() as Json);
    const key = (o: Json) => `${o.kind}/${o.metadata.name}`;
    expect(Object.fromEntries(objects.map((o) => [key(o), o]))).toEqual(Object.fromEntries(theirs.map((o) => [key(o), o])));
  });
});

describe('deploy/docker/*.Dockerfile against dockerfile-utils', () => {
  it.each(dockerfileNames())('%s has no errors or warnings', (name) => {
    expect(dockerfileProblems(readDockerfile(name).text)).toEqual([]);
  });

  it('would flag a broken Dockerfile (the linter is on)', () => {
    expect(dockerfileProblems('FROM node:20\nEXPOSE eighty\nCMD ["npx", "shardgrad"\n').length).toBeGreaterThan(0);
  });
});
