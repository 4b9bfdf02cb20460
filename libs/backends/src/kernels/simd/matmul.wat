;; The dense product for tfjs's wasm backend in WebAssembly SIMD: forward, and the weight gradient xᵀ·dy.
;; Every pointer is a byte offset into tfjs's own linear memory, which the module imports; layouts are
;; NHWC and row-major, as tfjs's wasm kernels use. Assembled at run time by wabt (see
;; load-gradient-kernels.node.ts); callers check the preconditions noted at each function. Products
;; use f32x4.relaxed_madd (a fused multiply-add where the CPU has one: the loops are bound by it);
;; engines without relaxed SIMD get a multiply and an add in its place (relaxed-madd.ts). V8 inlines
;; no calls between WebAssembly functions, so hot loops call none.
(module
  (import "env" "memory" (memory 1))

  ;; out[M, N] = act(a[M, K] · b[K, N] + bias[N]), b and out row-major, a read with byte strides aRow
  ;; between rows and aCol between columns: (4K, 4) for a row-major a, (4, 4M) for a transposed one
  ;; (xᵀ·dy, every dense layer's weight gradient, needs no transposed copy). XNNPACK packs b first,
  ;; and b (a dense layer's weights, or dy) is a new tensor every step, so for short products the
  ;; packing costs as much as the product; here b is read in place. Four rows of a share each load
  ;; of b: 4 rows × 8 columns in eight vector accumulators; past row M a row repeats its
  ;; predecessor's pointers and stores nothing. The caller blocks the product so that the part of b
  ;; in use stays in the core's cache: columns in panels of `panel`, the sum over k in chunks of
  ;; `chunk` rows of b, partial sums waiting in out between chunks (see matMulBlocking). Unblocked,
  ;; a 2 MB b (xᵀ·dy over 4,250 samples) read from memory for each of 196 row blocks took 100 ms,
  ;; against XNNPACK's 45. Needs N % 8 == 0 and panel % 8 == 0. bias = 0 means no bias; act 1 is
  ;; relu (as tfjs's, x < 0 ? 0 : x: NaN and −0 pass through), 0 none.
  (func (export "matmul_bias_act")
    (param $a i32) (param $b i32) (param $bias i32) (param $out i32)
    (param $M i32) (param $K i32) (param $N i32) (param $act i32) (param $aRow i32) (param $aCol i32)
    (param $chunk i32) (param $panel i32)
    (local $i i32) (local $j i32) (local $k i32) (local $nb i32) (local $rows i32)
    (local $k0 i32) (local $kc i32) (local $first i32) (local $last i32) (local $j0 i32) (local $jEnd i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $bp i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128) (local $z0 v128) (local $z1 v128)
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j0 (i32.const 0))
    (loop $panels
    (local.set $jEnd (i32.add (local.get $j0) (local.get $panel)))
    (if (i32.gt_s (local.get $jEnd) (local.get $N)) (then (local.set $jEnd (local.get $N))))
    (local.set $k0 (i32.const 0))
    (loop $chunks
      (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_s (local.get $kc) (local.get $chunk)) (then (local.set $kc (local.get $chunk))))
      (local.set $first (i32.eqz (local.get $k0)))
      (local.set $last (i32.ge_s (i32.add (local.get $k0) (local.get $kc)) (local.get $K)))
      (local.set $i (i32.const 0))
      (block $rowsDone (loop $rowBlocks
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $M)))
        (local.set $rows (i32.sub (local.get $M) (local.get $i)))
        (local.set $q0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $aRow)) (i32.mul (local.get $k0) (local.get $aCol)))))
        (local.set $q1 (i32.add (local.get $q0) (select (local.get $aRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 1)))))
        (local.set $q2 (i32.add (local.get $q1) (select (local.get $aRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 2)))))
        (local.set $q3 (i32.add (local.get $q2) (select (local.get $aRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 3)))))
        (local.set $j (local.get $j0))
        (block $colsDone (loop $cols
          (br_if $colsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (local.set $o0 (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $o1 (i32.add (local.get $o0) (select (local.get $nb) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 1)))))
            (local.set $o2 (i32.add (local.get $o1) (select (local.get $nb) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 2)))))
            (local.set $o3 (i32.add (local.get $o2) (select (local.get $nb) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 3)))))
            (if (local.get $first)
              (then
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0)))
              (else
                (local.set $c00 (v128.load (local.get $o0))) (local.set $c01 (v128.load offset=16 (local.get $o0)))
                (local.set $c10 (v128.load (local.get $o1))) (local.set $c11 (v128.load offset=16 (local.get $o1)))
                (local.set $c20 (v128.load (local.get $o2))) (local.set $c21 (v128.load offset=16 (local.get $o2)))
                (local.set $c30 (v128.load (local.get $o3))) (local.set $c31 (v128.load offset=16 (local.get $o3)))))
            (local.set $p0 (local.get $q0))
            (local.set $p1 (local.get $q1))
            (local.set $p2 (local.get $q2))
            (local.set $p3 (local.get $q3))
            (local.set $bp (i32.add (i32.add (local.get $b) (i32.mul (local.get $k0) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $k (local.get $kc))
            (block $kDone (loop $kLoop
              (br_if $kDone (i32.le_s (local.get $k) (i32.const 0)))
              (local.set $b0 (v128.load (local.get $bp)))
              (local.set $b1 (v128.load offset=16 (local.get $bp)))
              (local.set $s (v128.load32_splat (local.get $p0)))
              (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c00)))
              (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c01)))
              (local.set $p0 (i32.add (local.get $p0) (local.get $aCol)))
              (local.set $s (v128.load32_splat (local.get $p1)))
              (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c10)))
              (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c11)))
              (local.set $p1 (i32.add (local.get $p1) (local.get $aCol)))
              (local.set $s (v128.load32_splat (local.get $p2)))
              (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c20)))
              (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c21)))
              (local.set $p2 (i32.add (local.get $p2) (local.get $aCol)))
              (local.set $s (v128.load32_splat (local.get $p3)))
              (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c30)))
              (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c31)))
              (local.set $p3 (i32.add (local.get $p3) (local.get $aCol)))
              (local.set $bp (i32.add (local.get $bp) (local.get $nb)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br $kLoop)))
            (if (local.get $last)
              (then
                (if (local.get $bias)
                  (then
                    (local.set $z0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $z1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $c00 (f32x4.add (local.get $c00) (local.get $z0)))
                    (local.set $c01 (f32x4.add (local.get $c01) (local.get $z1)))
                    (local.set $c10 (f32x4.add (local.get $c10) (local.get $z0)))
                    (local.set $c11 (f32x4.add (local.get $c11) (local.get $z1)))
                    (local.set $c20 (f32x4.add (local.get $c20) (local.get $z0)))
                    (local.set $c21 (f32x4.add (local.get $c21) (local.get $z1)))
                    (local.set $c30 (f32x4.add (local.get $c30) (local.get $z0)))
                    (local.set $c31 (f32x4.add (local.get $c31) (local.get $z1)))))
                (if (local.get $act)
                  (then
                    (local.set $c00 (v128.andnot (local.get $c00) (f32x4.lt (local.get $c00) (v128.const i32x4 0 0 0 0))))
                    (local.set $c01 (v128.andnot (local.get $c01) (f32x4.lt (local.get $c01) (v128.const i32x4 0 0 0 0))))
                    (local.set $c10 (v128.andnot (local.get $c10) (f32x4.lt (local.get $c10) (v128.const i32x4 0 0 0 0))))
                    (local.set $c11 (v128.andnot (local.get $c11) (f32x4.lt (local.get $c11) (v128.const i32x4 0 0 0 0))))
                    (local.set $c20 (v128.andnot (local.get $c20) (f32x4.lt (local.get $c20) (v128.const i32x4 0 0 0 0))))
                    (local.set $c21 (v128.andnot (local.get $c21) (f32x4.lt (local.get $c21) (v128.const i32x4 0 0 0 0))))
                    (local.set $c30 (v128.andnot (local.get $c30) (f32x4.lt (local.get $c30) (v128.const i32x4 0 0 0 0))))
                    (local.set $c31 (v128.andnot (local.get $c31) (f32x4.lt (local.get $c31) (v128.const i32x4 0 0 0 0))))))))
            (if (i32.gt_s (local.get $rows) (i32.const 0))
              (then (v128.store (local.get $o0) (local.get $c00)) (v128.store offset=16 (local.get $o0) (local.get $c01))))
            (if (i32.gt_s (local.get $rows) (i32.const 1))
              (then (v128.store (local.get $o1) (local.get $c10)) (v128.store offset=16 (local.get $o1) (local.get $c11))))
            (if (i32.gt_s (local.get $rows) (i32.const 2))
              (then (v128.store (local.get $o2) (local.get $c20)) (v128.store offset=16 (local.get $o2) (local.get $c21))))
            (if (i32.gt_s (local.get $rows) (i32.const 3))
              (then (v128.store (local.get $o3) (local.get $c30)) (v128.store offset=16 (local.get $o3) (local.get $c31))))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rowBlocks)))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br_if $chunks (i32.lt_s (local.get $k0) (local.get $K))))
    (local.set $j0 (local.get $jEnd))
    (br_if $panels (i32.lt_s (local.get $j0) (local.get $N))))
  )
)
