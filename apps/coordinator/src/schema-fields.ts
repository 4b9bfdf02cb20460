import { z } from 'zod';

/**
 * The field types the files shardgrad reads back (checkpoint headers, saved models' descriptions)
 * share, each refusing with the words a person reads in describeIssue's "must be …".
 */
const WHOLE = 'a whole number ≥ 0';
export const whole = z.number({ error: WHOLE }).int({ error: WHOLE }).min(0, { error: WHOLE });
const POSITIVE = 'a whole number ≥ 1';
export const positive = z.number({ error: POSITIVE }).int({ error: POSITIVE }).min(1, { error: POSITIVE });
export const text = (what: string) => z.string({ error: what }).min(1, { error: what });
