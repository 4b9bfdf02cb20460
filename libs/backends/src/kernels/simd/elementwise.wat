;; Streaming kernels for tfjs's wasm backend in WebAssembly SIMD: column sums, per-channel arithmetic
;; and the relu gradient, which tfjs's kernels do with index arithmetic per element.
;; Every pointer is a byte offset into tfjs's own linear memory, which the module imports; layouts are
;; NHWC and row-major, as tfjs's wasm kernels use. Assembled at run time by wabt (see
;; load-gradient-kernels.node.ts); callers check the preconditions noted at each function. Products
;; use f32x4.relaxed_madd (a fused multiply-add where the CPU has one: the loops are bound by it);
;; engines without relaxed SIMD get a multiply and an add in its place (relaxed-madd.ts). V8 inlines
;; no calls between WebAssembly functions, so hot loops call none.
(module
  (import "env" "memory" (memory 1))

  ;; Column sums of a row-major [R, C] matrix: out[c] = Σ_r x[r, c]. Needs C % 4 == 0. Sixteen
  ;; columns at a time stay in four vector accumulators while the rows stream past, in blocks of
  ;; 64 rows whose float32 sums are then added up in float64. A batch norm's sums over 1,024 images of
  ;; 28×28 (R = 802,816) cancel to a thousandth of their terms' size: with the blocks' sums added in
  ;; float32 the first layer's beta gradient came out 2e-3 from cpu's (docs/benchmarks-gpu.md).
  (func (export "sum_rows")
    (param $x i32) (param $out i32) (param $R i32) (param $C i32)
    (local $c i32) (local $r i32) (local $k i32) (local $p i32) (local $rowBytes i32) (local $width i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $cDone (loop $cLoop
      (br_if $cDone (i32.ge_s (local.get $c) (local.get $C)))
      (local.set $l0 (v128.const i32x4 0 0 0 0))
      (local.set $l1 (v128.const i32x4 0 0 0 0))
      (local.set $l2 (v128.const i32x4 0 0 0 0))
      (local.set $l3 (v128.const i32x4 0 0 0 0))
      (local.set $h0 (v128.const i32x4 0 0 0 0))
      (local.set $h1 (v128.const i32x4 0 0 0 0))
      (local.set $h2 (v128.const i32x4 0 0 0 0))
      (local.set $h3 (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $width (i32.sub (local.get $C) (local.get $c)))
      (local.set $r (local.get $R))
      (if (i32.ge_s (local.get $width) (i32.const 16))
        (then
          (block $rDone (loop $blockLoop
            (br_if $rDone (i32.le_s (local.get $r) (i32.const 0)))
            (local.set $k (select (local.get $r) (i32.const 64) (i32.lt_s (local.get $r) (i32.const 64))))
            (local.set $r (i32.sub (local.get $r) (local.get $k)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (loop $rLoop
              (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 (local.get $p))))
              (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
              (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
              (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $rLoop (i32.gt_s (local.get $k) (i32.const 0))))
            (local.set $l0 (f64x2.add (local.get $l0) (f64x2.promote_low_f32x4 (local.get $a0))))
            (local.set $h0 (f64x2.add (local.get $h0) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
            (local.set $l1 (f64x2.add (local.get $l1) (f64x2.promote_low_f32x4 (local.get $a1))))
            (local.set $h1 (f64x2.add (local.get $h1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a1) (local.get $a1)))))
            (local.set $l2 (f64x2.add (local.get $l2) (f64x2.promote_low_f32x4 (local.get $a2))))
            (local.set $h2 (f64x2.add (local.get $h2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a2) (local.get $a2)))))
            (local.set $l3 (f64x2.add (local.get $l3) (f64x2.promote_low_f32x4 (local.get $a3))))
            (local.set $h3 (f64x2.add (local.get $h3) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a3) (local.get $a3)))))
            (br $blockLoop)))
          (local.set $p (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
          (v128.store offset=0 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $l0)) (f32x4.demote_f64x2_zero (local.get $h0))))
          (v128.store offset=16 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $l1)) (f32x4.demote_f64x2_zero (local.get $h1))))
          (v128.store offset=32 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $l2)) (f32x4.demote_f64x2_zero (local.get $h2))))
          (v128.store offset=48 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $l3)) (f32x4.demote_f64x2_zero (local.get $h3))))
          (local.set $c (i32.add (local.get $c) (i32.const 16))))
        (else
          (block $rDone4 (loop $blockLoop4
            (br_if $rDone4 (i32.le_s (local.get $r) (i32.const 0)))
            (local.set $k (select (local.get $r) (i32.const 64) (i32.lt_s (local.get $r) (i32.const 64))))
            (local.set $r (i32.sub (local.get $r) (local.get $k)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (loop $rLoop4
              (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $rLoop4 (i32.gt_s (local.get $k) (i32.const 0))))
            (local.set $l0 (f64x2.add (local.get $l0) (f64x2.promote_low_f32x4 (local.get $a0))))
            (local.set $h0 (f64x2.add (local.get $h0) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0)))))
            (br $blockLoop4)))
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $l0)) (f32x4.demote_f64x2_zero (local.get $h0))))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))))
      (br $cLoop)))
  )

  ;; out[r, c] = x[r, c] ⊕ v[c] for a row-major [R, C] x and a per-channel v: a bias added, batch
  ;; norm's centring and scaling, and their gradients (tfjs's broadcasting kernels walk index
  ;; arithmetic per element). op: 0 x + v, 1 x − v, 2 v − x, 3 x · v. Needs C % 4 == 0.
  (func (export "channel_op")
    (param $x i32) (param $v i32) (param $out i32) (param $R i32) (param $C i32) (param $op i32)
    (local $r i32) (local $c i32) (local $rowBytes i32) (local $xp i32) (local $op_p i32)
    (local $a v128) (local $b v128)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $xp (local.get $x))
    (local.set $op_p (local.get $out))
    (local.set $r (local.get $R))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.le_s (local.get $r) (i32.const 0)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cLoop
        (br_if $cDone (i32.ge_s (local.get $c) (local.get $rowBytes)))
        (local.set $a (v128.load (i32.add (local.get $xp) (local.get $c))))
        (local.set $b (v128.load (i32.add (local.get $v) (local.get $c))))
        (v128.store (i32.add (local.get $op_p) (local.get $c))
          (if (result v128) (i32.eqz (local.get $op))
            (then (f32x4.add (local.get $a) (local.get $b)))
            (else (if (result v128) (i32.eq (local.get $op) (i32.const 1))
              (then (f32x4.sub (local.get $a) (local.get $b)))
              (else (if (result v128) (i32.eq (local.get $op) (i32.const 2))
                (then (f32x4.sub (local.get $b) (local.get $a)))
                (else (f32x4.mul (local.get $a) (local.get $b)))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cLoop)))
      (local.set $xp (i32.add (local.get $xp) (local.get $rowBytes)))
      (local.set $op_p (i32.add (local.get $op_p) (local.get $rowBytes)))
      (local.set $r (i32.sub (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )

  ;; out[r, c] = x[r, c] · a[c] + b[c] for a row-major [R, C] x: batch norm's forward pass with its
  ;; per-channel factors folded (a = scale / √(var + ε), b = offset − mean · a). Needs C % 4 == 0.
  (func (export "channel_affine")
    (param $x i32) (param $a i32) (param $b i32) (param $out i32) (param $R i32) (param $C i32)
    (local $r i32) (local $c i32) (local $rowBytes i32) (local $xp i32) (local $op i32)
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $xp (local.get $x))
    (local.set $op (local.get $out))
    (local.set $r (local.get $R))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.le_s (local.get $r) (i32.const 0)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cLoop
        (br_if $cDone (i32.ge_s (local.get $c) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $op) (local.get $c))
          (f32x4.relaxed_madd
            (v128.load (i32.add (local.get $xp) (local.get $c)))
            (v128.load (i32.add (local.get $a) (local.get $c)))
            (v128.load (i32.add (local.get $b) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cLoop)))
      (local.set $xp (i32.add (local.get $xp) (local.get $rowBytes)))
      (local.set $op (i32.add (local.get $op) (local.get $rowBytes)))
      (local.set $r (i32.sub (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )

  ;; Relu's gradient: out[i] = x[i] > 0 ? dy[i] : 0, and NaN where x is NaN (as dy · step(x) gives).
  ;; One pass instead of tfjs's three (step, cast, multiply), each over the whole activation.
  (func (export "relu_grad")
    (param $x i32) (param $dy i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (v128.or
          (v128.and (v128.load (i32.add (local.get $dy) (local.get $i))) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
          (v128.and (local.get $v) (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (select
          (f32.load (i32.add (local.get $dy) (local.get $i)))
          (f32.mul (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0))
          (f32.gt (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
  )
)
