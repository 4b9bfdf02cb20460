import { resolveAggregation } from '@shardgrad/coordinator';
import { UsageError } from './output.ts';

/**
 * Checks --aggregator, --byzantine and --trim together before a coordinator exists: the coordinator
 * refuses a combination no number of workers can satisfy (the mean with f > 0) with a plain Error,
 * which would end the command as a failure (exit 1) instead of the usage error it is.
 */
export function checkAggregationFlags(o: { aggregator?: string; byzantine?: number; trim?: number }): void {
  if (o.aggregator === undefined && o.byzantine === undefined && o.trim === undefined) return;
  // Only the trimmed mean trims: elsewhere --trim would be silently ignored.
  if (o.trim !== undefined && (o.aggregator ?? 'mean') !== 'trimmed-mean') {
    throw new UsageError(`--trim ${o.trim} is the trimmed mean's; it does nothing with ${o.aggregator === undefined ? 'the default --aggregator mean' : `--aggregator ${o.aggregator}`} (give --aggregator trimmed-mean, or leave --trim out)`);
  }
  try {
    resolveAggregation(o.aggregator, { f: o.byzantine, ...(o.trim !== undefined && { beta: o.trim }) });
  } catch (e) {
    const given = [
      o.aggregator === undefined ? 'the default --aggregator mean' : `--aggregator ${o.aggregator}`,
      o.byzantine !== undefined && `--byzantine ${o.byzantine}`,
      o.trim !== undefined && `--trim ${o.trim}`,
    ].filter(Boolean);
    throw new UsageError(`${given.join(' with ')}: ${(e as Error).message.replace(/^--aggregator \S+: /, '')}`);
  }
}
