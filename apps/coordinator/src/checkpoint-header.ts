import { z } from 'zod';
import { OPTIMIZER_NAMES } from '@shardgrad/models';
import { AGGREGATOR_NAMES } from '@shardgrad/trainer';
import { positive, text, whole } from './schema-fields.ts';
import { describeIssue } from './schema-issue.ts';

/**
 * The JSON header of a training-state file, checked field by field before anything acts on it: a
 * value that slipped through (a negative step, a missing learning rate) failed only after the run
 * directory had been reopened, and reopening drops the metrics after the resumed step.
 */

const finite = (what: string) => z.number({ error: what });

const aggregation = z.object(
  {
    name: z.enum(AGGREGATOR_NAMES, { error: `one of ${AGGREGATOR_NAMES.join(', ')}` }),
    options: z.object(
      {
        f: whole,
        beta: finite('a number').min(0, { error: 'a number in [0, 0.5)' }).lt(0.5, { error: 'a number in [0, 0.5)' }).optional(),
        tau: finite('a number > 0').positive({ error: 'a number > 0' }).optional(),
        iterations: positive.optional(),
        maxNormRatio: finite('a number > 0').positive({ error: 'a number > 0' }).optional(),
      },
      { error: 'the aggregator options {f, …}' },
    ),
  },
  { error: 'the aggregation {name, options}' },
);

const optimizer = z.object(
  {
    name: z.enum(OPTIMIZER_NAMES, { error: `one of ${OPTIMIZER_NAMES.join(', ')}` }),
    step: whole,
    // A schedule may have brought the rate in use down to 0; the configured one below may not be.
    learningRate: finite('a number ≥ 0').min(0, { error: 'a number ≥ 0' }),
    slots: z
      .array(z.tuple([text('a slot name'), whole], { error: 'a [slot name, tensor count] pair' }), { error: 'a list of [slot name, tensor count]' })
      .refine((s) => new Set(s.map(([n]) => n)).size === s.length, { error: 'a list without repeated slot names' }),
  },
  { error: "the optimizer's state {name, step, learningRate, slots}" },
);

const fields = {
  // runlog's rule for run ids: the id names the run directory the resume writes into.
  runId: z.string({ error: 'a run id' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'a run id' }),
  model: text('a model name'),
  dataset: text('a dataset name'),
  schemaHash: text('a schema hash'),
  batch: positive,
  seed: whole,
  version: whole,
  position: z.object({ step: whole, epoch: whole, offset: whole }, { error: 'the position {step, epoch, offset}' }),
  aggregation: aggregation.optional(),
  baseLearningRate: finite('a number > 0').positive({ error: 'a number > 0' }).optional(),
  optimizer,
  paramsBytes: whole,
  slotsBytes: whole,
};

/** Format 1: the SHA-256 in the header covers the blobs only, so the header is trusted on its schema alone. */
export const headerV1 = z.object({ ...fields, format: z.literal(1), sha256: z.string({ error: 'a SHA-256' }).regex(/^[0-9a-f]{64}$/, { error: 'a SHA-256' }) });
/** Format 2: the SHA-256 after the blobs covers every byte before it, the header included. */
export const headerV2 = z.object({ ...fields, format: z.literal(2) });

export type HeaderV1 = z.infer<typeof headerV1>;
export type HeaderV2 = z.infer<typeof headerV2>;

/** The sizes alone, read before the checksum so a short file is called truncated rather than damaged. */
export const blobSizes = z.object({ paramsBytes: whole, slotsBytes: whole });

/** The header's first problem, as a person fixes it. */
export function headerProblem(error: z.ZodError, raw: unknown): string {
  const format = error.issues.find((i) => i.path.length === 1 && i.path[0] === 'format');
  if (format) return `format ${JSON.stringify((raw as { format?: unknown } | null)?.format) ?? 'missing'}, which this shardgrad does not read`;
  return describeIssue(error, raw, 'the header');
}
