;; The coordinator's arithmetic of every round, in WebAssembly SIMD, four float32 values at a time.
;; Offsets are in bytes, 16-byte aligned; n is a count of floats. Each user instantiates its own copy
;; (simd-adam.ts, simd-weighted-sum.ts), so each has a memory of its own.
;;
;; adam: m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  p ← p − stepSize·m / (√(v·invC2) + ε)
;; with the bias corrections folded into stepSize = lr / (1 − β1^t) and invC2 = 1 / (1 − β2^t),
;; as adam.ts computes them.
(module
  (memory (export "memory") 1)
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $stepSize f32) (param $invC2 f32) (param $beta1 f32) (param $beta2 f32) (param $eps f32)
    (local $i i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $b1 v128) (local $k1 v128) (local $b2 v128) (local $k2 v128) (local $s v128) (local $c2 v128) (local $e v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $k1 (f32x4.splat (f32.sub (f32.const 1) (local.get $beta1))))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $k2 (f32x4.splat (f32.sub (f32.const 1) (local.get $beta2))))
    (local.set $s (f32x4.splat (local.get $stepSize)))
    (local.set $c2 (f32x4.splat (local.get $invC2)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
      (local.set $mv (f32x4.add
        (f32x4.mul (local.get $b1) (v128.load (i32.add (local.get $m) (local.get $i))))
        (f32x4.mul (local.get $k1) (local.get $gv))))
      (local.set $vv (f32x4.add
        (f32x4.mul (local.get $b2) (v128.load (i32.add (local.get $v) (local.get $i))))
        (f32x4.mul (f32x4.mul (local.get $k2) (local.get $gv)) (local.get $gv))))
      (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mv))
      (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
      (v128.store (i32.add (local.get $p) (local.get $i))
        (f32x4.sub
          (v128.load (i32.add (local.get $p) (local.get $i)))
          (f32x4.div
            (f32x4.mul (local.get $s) (local.get $mv))
            (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vv) (local.get $c2))) (local.get $e)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
      (local.set $ms (f32.add
        (f32.mul (local.get $beta1) (f32.load (i32.add (local.get $m) (local.get $i))))
        (f32.mul (f32.sub (f32.const 1) (local.get $beta1)) (local.get $gs))))
      (local.set $vs (f32.add
        (f32.mul (local.get $beta2) (f32.load (i32.add (local.get $v) (local.get $i))))
        (f32.mul (f32.mul (f32.sub (f32.const 1) (local.get $beta2)) (local.get $gs)) (local.get $gs))))
      (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $ms))
      (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $vs))
      (f32.store (i32.add (local.get $p) (local.get $i))
        (f32.sub
          (f32.load (i32.add (local.get $p) (local.get $i)))
          (f32.div
            (f32.mul (local.get $stepSize) (local.get $ms))
            (f32.add (f32.sqrt (f32.mul (local.get $vs) (local.get $invC2))) (local.get $eps)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )

  ;; out ← w·a (scale) and out ← out + w·a (add_scaled): the shard-weighted mean, one part at a time,
  ;; rounded to float32 after each product and each sum, like aggregate.ts's loops.
  (func (export "scale") (param $out i32) (param $a i32) (param $w f32) (param $n i32)
    (local $i i32) (local $end i32) (local $wv v128)
    (local.set $wv (f32x4.splat (local.get $w)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.mul (local.get $w) (f32.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )
  (func (export "add_scaled") (param $out i32) (param $a i32) (param $w f32) (param $n i32)
    (local $i i32) (local $end i32) (local $wv v128)
    (local.set $wv (f32x4.splat (local.get $w)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.add
          (v128.load (i32.add (local.get $out) (local.get $i)))
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $a) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.add
          (f32.load (i32.add (local.get $out) (local.get $i)))
          (f32.mul (local.get $w) (f32.load (i32.add (local.get $a) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )

  ;; sum_squares: Σ a² in float64, in the lanes of coordinates.ts's sumOfSquares (four running sums:
  ;; lanes 0 and 1 in $lo, 2 and 3 in $hi; the tail into lane 0; then s0 + s1 + (s2 + s3)), so both
  ;; give the same bits. A float32 squared is exact in float64.
  (func (export "sum_squares") (param $a i32) (param $n i32) (result f64)
    (local $i i32) (local $end i32) (local $v v128) (local $lo v128) (local $hi v128) (local $h v128)
    (local $s0 f64) (local $x f64)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $v (v128.load (i32.add (local.get $a) (local.get $i))))
      (local.set $h (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (local.get $h) (local.get $h))))
      (local.set $h (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
      (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (local.get $h) (local.get $h))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $lo)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $x) (local.get $x))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $lo)))
      (f64.add (f64x2.extract_lane 0 (local.get $hi)) (f64x2.extract_lane 1 (local.get $hi))))
  )
)
