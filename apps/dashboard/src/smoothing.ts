/**
 * TensorBoard's smoothing: an exponential moving average with the start-up bias removed, so the
 * first points are not dragged towards zero. Gaps (null, NaN) are carried through as gaps.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v === null ? null : v;
    last = last * w + (1 - w) * v;
    n++;
    return w === 0 ? v : last / (1 - w ** n);
  });
}
