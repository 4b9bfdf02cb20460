/**
 * Ordinary least squares with an intercept, solved in closed form from the normal equations
 * (X'X) w = X'y in double precision. The baseline a regression network must beat.
 */
export interface LinearFit {
  /** weights[0] is the intercept, weights[1..] one per input column. */
  weights: Float64Array;
}

/** Gauss-Jordan with partial pivoting; small systems only (one row per input column). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const m = b.length;
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) throw new Error('least squares: the inputs are linearly dependent (singular X\'X)');
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k < m; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  return b.map((v, i) => v / a[i]![i]!);
}

/** Fits y ≈ w0 + Σ w_j x_j over n rows of `cols` inputs (row-major x). */
export function fitLeastSquares(x: ArrayLike<number>, y: ArrayLike<number>, n: number, cols: number): LinearFit {
  if (x.length !== n * cols || y.length !== n) throw new Error(`least squares: expected ${n}x${cols} inputs and ${n} targets, got ${x.length} and ${y.length}`);
  const m = cols + 1;
  const xtx = Array.from({ length: m }, () => new Float64Array(m));
  const xty = new Float64Array(m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let j = 0; j < cols; j++) row[j + 1] = x[i * cols + j]!;
    for (let a = 0; a < m; a++) {
      xty[a]! += row[a]! * y[i]!;
      for (let b = a; b < m; b++) xtx[a]![b]! += row[a]! * row[b]!;
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) xtx[a]![b] = xtx[b]![a]!;
  return { weights: solve(xtx, xty) };
}

export function predictLinear(fit: LinearFit, x: ArrayLike<number>, n: number, cols: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = fit.weights[0]!;
    for (let j = 0; j < cols; j++) s += fit.weights[j + 1]! * x[i * cols + j]!;
    out[i] = s;
  }
  return out;
}

/** Root mean squared error between two equally long series. */
export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length || pred.length === 0) throw new Error(`rmse: lengths ${pred.length} and ${truth.length}`);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i]! - truth[i]!) ** 2;
  return Math.sqrt(s / pred.length);
}
