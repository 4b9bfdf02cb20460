;; Max pooling and its gradient for tfjs's wasm backend in WebAssembly SIMD, NHWC, four channels at a time.
;; Every pointer is a byte offset into tfjs's own linear memory, which the module imports; layouts are
;; NHWC and row-major, as tfjs's wasm kernels use. Assembled at run time by wabt (see
;; load-gradient-kernels.node.ts); callers check the preconditions noted at each function. Products
;; use f32x4.relaxed_madd (a fused multiply-add where the CPU has one: the loops are bound by it);
;; engines without relaxed SIMD get a multiply and an add in its place (relaxed-madd.ts). V8 inlines
;; no calls between WebAssembly functions, so hot loops call none.
(module
  (import "env" "memory" (memory 1))

  ;; Max pooling over windows that all lie inside the input (no padding), out [N, OH, OW, C], four
  ;; channels at a time. Needs C % 4 == 0. f32x4.max gives NaN where a window holds a NaN.
  (func (export "max_pool")
    (param $x i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32)
    (local $n i32) (local $r i32) (local $q i32) (local $ch i32) (local $i i32) (local $j i32)
    (local $base i32) (local $cell i32) (local $rowOff i32) (local $op i32) (local $rowBytes i32) (local $cBytes i32)
    (local $imageBytes i32) (local $rowStep i32) (local $colStep i32) (local $image i32) (local $row i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cBytes)))
    (local.set $imageBytes (i32.mul (local.get $H) (local.get $rowBytes)))
    (local.set $rowStep (i32.mul (local.get $sh) (local.get $rowBytes)))
    (local.set $colStep (i32.mul (local.get $sw) (local.get $cBytes)))
    (local.set $op (local.get $out))
    (local.set $image (local.get $x))
    (local.set $n (local.get $N))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.le_s (local.get $n) (i32.const 0)))
      (local.set $row (local.get $image))
      (local.set $r (local.get $OH))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.le_s (local.get $r) (i32.const 0)))
        (local.set $base (local.get $row))
        (local.set $q (local.get $OW))
        (block $qDone (loop $qLoop
          (br_if $qDone (i32.le_s (local.get $q) (i32.const 0)))
          ;; The window's first cell, then the maximum with each later one, channel vectors innermost
          ;; (the output's C values stay in the cache while the window's cells go by).
          (local.set $ch (i32.const 0))
          (block $copyDone (loop $copy
            (br_if $copyDone (i32.ge_s (local.get $ch) (local.get $cBytes)))
            (v128.store (i32.add (local.get $op) (local.get $ch)) (v128.load (i32.add (local.get $base) (local.get $ch))))
            (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
            (br $copy)))
          (local.set $rowOff (i32.const 0))
          (local.set $i (local.get $FH))
          (block $iDone (loop $iLoop
            (br_if $iDone (i32.le_s (local.get $i) (i32.const 0)))
            (local.set $cell (local.get $rowOff))
            (local.set $j (local.get $FW))
            (block $jDone (loop $jLoop
              (br_if $jDone (i32.le_s (local.get $j) (i32.const 0)))
              (if (local.get $cell)
                (then
                  (local.set $ch (i32.const 0))
                  (block $chDone (loop $chLoop
                    (br_if $chDone (i32.ge_s (local.get $ch) (local.get $cBytes)))
                    (v128.store (i32.add (local.get $op) (local.get $ch))
                      (f32x4.max
                        (v128.load (i32.add (local.get $op) (local.get $ch)))
                        (v128.load (i32.add (i32.add (local.get $base) (local.get $cell)) (local.get $ch)))))
                    (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
                    (br $chLoop)))))
              (local.set $cell (i32.add (local.get $cell) (local.get $cBytes)))
              (local.set $j (i32.sub (local.get $j) (i32.const 1)))
              (br $jLoop)))
            (local.set $rowOff (i32.add (local.get $rowOff) (local.get $rowBytes)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $iLoop)))
          (local.set $op (i32.add (local.get $op) (local.get $cBytes)))
          (local.set $base (i32.add (local.get $base) (local.get $colStep)))
          (local.set $q (i32.sub (local.get $q) (i32.const 1)))
          (br $qLoop)))
        (local.set $row (i32.add (local.get $row) (local.get $rowStep)))
        (local.set $r (i32.sub (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )

  ;; Max-pool gradient for windows that all lie inside the input (no padding), out [N, H, W, C].
  ;; The caller zeroes out unless the windows tile the input exactly (no overlaps, no gaps): every
  ;; cell of a window is written, with zero in the lanes that lost. Each window sends dy to its first maximum in row-major order (tfjs's cpu
  ;; rule), four channels at a time: a lane moves to a later cell only where that cell is strictly
  ;; greater. Needs C % 4 == 0. Overlapping windows add up, as they must.
  ;; With $relu set, x is a relu's output and the relu's own gradient is folded in: a window whose
  ;; maximum is not above zero passes nothing (relu's gradient would zero it at that cell anyway).
  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32) (param $relu i32)
    (local $n i32) (local $r i32) (local $q i32) (local $ch i32) (local $i i32) (local $j i32)
    (local $base i32) (local $cell i32) (local $gp i32) (local $rowBytes i32) (local $cBytes i32)
    (local $best v128) (local $at v128) (local $v v128) (local $mask v128) (local $g v128)
    (local $p i32) (local $overlap i32) (local $two i32) (local $diag i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local.set $two (i32.and (i32.eq (local.get $FH) (i32.const 2)) (i32.eq (local.get $FW) (i32.const 2))))
    (local.set $overlap (i32.or (i32.lt_s (local.get $sh) (local.get $FH)) (i32.lt_s (local.get $sw) (local.get $FW))))
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cBytes)))
    (local.set $diag (i32.add (local.get $rowBytes) (local.get $cBytes)))
    (local.set $gp (local.get $dy))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $OH)))
        (local.set $q (i32.const 0))
        (block $qDone (loop $qLoop
          (br_if $qDone (i32.ge_s (local.get $q) (local.get $OW)))
          ;; Byte offset of the window's top-left cell, channel 0, relative to x (and to out).
          (local.set $base
            (i32.add
              (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (i32.mul (local.get $r) (local.get $sh))) (local.get $rowBytes))
              (i32.mul (i32.mul (local.get $q) (local.get $sw)) (local.get $cBytes))))
          (local.set $ch (i32.const 0))
          (block $chDone (loop $chLoop
            (br_if $chDone (i32.ge_s (local.get $ch) (local.get $cBytes)))
            (if (local.get $two)
              (then
                ;; 2×2 windows (most pools), written out: the first maximum in row-major order
                ;; wins, as below, with the winners as lane masks instead of cell offsets.
                (local.set $p (i32.add (local.get $base) (local.get $ch)))
                (local.set $v0 (v128.load (i32.add (local.get $x) (local.get $p))))
                (local.set $v1 (v128.load (i32.add (i32.add (local.get $x) (local.get $p)) (local.get $cBytes))))
                (local.set $v2 (v128.load (i32.add (i32.add (local.get $x) (local.get $p)) (local.get $rowBytes))))
                (local.set $v3 (v128.load (i32.add (i32.add (local.get $x) (local.get $p)) (local.get $diag))))
                (local.set $m1 (f32x4.gt (local.get $v1) (local.get $v0)))
                (local.set $best (v128.bitselect (local.get $v1) (local.get $v0) (local.get $m1)))
                (local.set $m2 (f32x4.gt (local.get $v2) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $m2)))
                (local.set $m3 (f32x4.gt (local.get $v3) (local.get $best)))
                (local.set $m2 (v128.andnot (local.get $m2) (local.get $m3)))
                (local.set $m1 (v128.andnot (v128.andnot (local.get $m1) (local.get $m2)) (local.get $m3)))
                (local.set $g (v128.load (local.get $gp)))
                ;; best is the maximum of the first three cells; where the fourth beat it (m3), it beat a relu's output ≥ 0.
                (if (local.get $relu)
                  (then (local.set $g (v128.and (local.get $g) (v128.or (local.get $m3) (f32x4.gt (local.get $best) (v128.const f32x4 0 0 0 0)))))))
                (local.set $p (i32.add (local.get $out) (local.get $p)))
                (local.set $v0 (v128.andnot (local.get $g) (v128.or (v128.or (local.get $m1) (local.get $m2)) (local.get $m3))))
                (local.set $v1 (v128.and (local.get $g) (local.get $m1)))
                (local.set $v2 (v128.and (local.get $g) (local.get $m2)))
                (local.set $v3 (v128.and (local.get $g) (local.get $m3)))
                (if (local.get $overlap)
                  (then
                    (local.set $v0 (f32x4.add (local.get $v0) (v128.load (local.get $p))))
                    (local.set $v1 (f32x4.add (local.get $v1) (v128.load (i32.add (local.get $p) (local.get $cBytes)))))
                    (local.set $v2 (f32x4.add (local.get $v2) (v128.load (i32.add (local.get $p) (local.get $rowBytes)))))
                    (local.set $v3 (f32x4.add (local.get $v3) (v128.load (i32.add (local.get $p) (local.get $diag)))))))
                (v128.store (local.get $p) (local.get $v0))
                (v128.store (i32.add (local.get $p) (local.get $cBytes)) (local.get $v1))
                (v128.store (i32.add (local.get $p) (local.get $rowBytes)) (local.get $v2))
                (v128.store (i32.add (local.get $p) (local.get $diag)) (local.get $v3)))
              (else
                (local.set $best (v128.load (i32.add (local.get $x) (i32.add (local.get $base) (local.get $ch)))))
                (local.set $at (v128.const i32x4 0 0 0 0))
                (local.set $i (i32.const 0))
                (block $iDone (loop $iLoop
                  (br_if $iDone (i32.ge_s (local.get $i) (local.get $FH)))
                  (local.set $j (i32.const 0))
                  (block $jDone (loop $jLoop
                    (br_if $jDone (i32.ge_s (local.get $j) (local.get $FW)))
                    (local.set $cell (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.mul (local.get $j) (local.get $cBytes))))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (i32.add (local.get $base) (local.get $cell)) (local.get $ch)))))
                    (local.set $mask (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                    (local.set $at (v128.bitselect (i32x4.splat (local.get $cell)) (local.get $at) (local.get $mask)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $jLoop)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $iLoop)))
                (local.set $g (v128.load (local.get $gp)))
                (if (local.get $relu)
                  (then (local.set $g (v128.and (local.get $g) (f32x4.gt (local.get $best) (v128.const f32x4 0 0 0 0))))))
                ;; Each cell gets dy in the lanes it won and zero in the others: a store where windows do
                ;; not overlap (every cell in one window at most), an add where they do.
                (local.set $i (i32.const 0))
                (block $wiDone (loop $wiLoop
                  (br_if $wiDone (i32.ge_s (local.get $i) (local.get $FH)))
                  (local.set $cell (i32.mul (local.get $i) (local.get $rowBytes)))
                  (local.set $j (local.get $FW))
                  (block $wjDone (loop $wjLoop
                    (br_if $wjDone (i32.le_s (local.get $j) (i32.const 0)))
                    (local.set $p (i32.add (i32.add (local.get $out) (local.get $base)) (i32.add (local.get $cell) (local.get $ch))))
                    (local.set $v (v128.and (local.get $g) (i32x4.eq (local.get $at) (i32x4.splat (local.get $cell)))))
                    (if (local.get $overlap)
                      (then (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $p))))))
                    (v128.store (local.get $p) (local.get $v))
                    (local.set $cell (i32.add (local.get $cell) (local.get $cBytes)))
                    (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                    (br $wjLoop)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $wiLoop)))))
            (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
            (br $chLoop)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $qLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )

  ;; 2×2 max pooling with stride 2 over a relu's output that keeps each window's winner for the
  ;; gradient: out as max_pool gives it, and idx one byte per output value, the row-major cell (0..3)
  ;; of the window's first maximum, or 4 where that maximum is not above zero (the relu's gradient
  ;; is zero there). Windows inside the input; needs C % 4 == 0.
  (func (export "max_pool_2x2_argmax")
    (param $x i32) (param $out i32) (param $idx i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (local $n i32) (local $r i32) (local $q i32) (local $ch i32) (local $p i32) (local $op i32) (local $ip i32)
    (local $rowBytes i32) (local $cBytes i32) (local $diag i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $best v128) (local $at v128) (local $m v128)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cBytes)))
    (local.set $diag (i32.add (local.get $rowBytes) (local.get $cBytes)))
    (local.set $op (local.get $out))
    (local.set $ip (local.get $idx))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $OH)))
        (local.set $q (i32.const 0))
        (block $qDone (loop $qLoop
          (br_if $qDone (i32.ge_s (local.get $q) (local.get $OW)))
          (local.set $p
            (i32.add (local.get $x)
              (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (i32.shl (local.get $r) (i32.const 1))) (local.get $rowBytes))
                (i32.mul (i32.shl (local.get $q) (i32.const 1)) (local.get $cBytes)))))
          (local.set $ch (i32.const 0))
          (block $chDone (loop $chLoop
            (br_if $chDone (i32.ge_s (local.get $ch) (local.get $cBytes)))
            (local.set $v0 (v128.load (i32.add (local.get $p) (local.get $ch))))
            (local.set $v1 (v128.load (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $cBytes))))
            (local.set $v2 (v128.load (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $rowBytes))))
            (local.set $v3 (v128.load (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $diag))))
            ;; The same maximum, in the same order, as max_pool.
            (v128.store (local.get $op) (f32x4.max (f32x4.max (f32x4.max (local.get $v0) (local.get $v1)) (local.get $v2)) (local.get $v3)))
            ;; The first maximum in row-major order, as max_pool_grad finds it: a later cell wins only where strictly greater.
            (local.set $best (local.get $v0))
            (local.set $at (v128.const i32x4 0 0 0 0))
            (local.set $m (f32x4.gt (local.get $v1) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v1) (local.get $best) (local.get $m)))
            (local.set $at (v128.bitselect (v128.const i32x4 1 1 1 1) (local.get $at) (local.get $m)))
            (local.set $m (f32x4.gt (local.get $v2) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v2) (local.get $best) (local.get $m)))
            (local.set $at (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $at) (local.get $m)))
            (local.set $m (f32x4.gt (local.get $v3) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v3) (local.get $best) (local.get $m)))
            (local.set $at (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $at) (local.get $m)))
            (local.set $at (v128.bitselect (local.get $at) (v128.const i32x4 4 4 4 4) (f32x4.gt (local.get $best) (v128.const f32x4 0 0 0 0))))
            (v128.store32_lane 0 (local.get $ip)
              (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $at) (local.get $at)) (v128.const i32x4 0 0 0 0)))
            (local.set $op (i32.add (local.get $op) (i32.const 16)))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
            (br $chLoop)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $qLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )

  ;; The gradient of max_pool_2x2_argmax's pool, relu included, from its winners alone: each window's
  ;; four cells get dy where idx names them and zero elsewhere, so x is not read again. The caller
  ;; zeroes out unless the windows tile the input. Needs C % 4 == 0.
  (func (export "max_pool_grad_2x2_argmax")
    (param $dy i32) (param $idx i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (local $n i32) (local $r i32) (local $q i32) (local $ch i32) (local $p i32) (local $gp i32) (local $ip i32)
    (local $rowBytes i32) (local $cBytes i32) (local $diag i32) (local $g v128) (local $at v128)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cBytes)))
    (local.set $diag (i32.add (local.get $rowBytes) (local.get $cBytes)))
    (local.set $gp (local.get $dy))
    (local.set $ip (local.get $idx))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $OH)))
        (local.set $q (i32.const 0))
        (block $qDone (loop $qLoop
          (br_if $qDone (i32.ge_s (local.get $q) (local.get $OW)))
          (local.set $p
            (i32.add (local.get $out)
              (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (i32.shl (local.get $r) (i32.const 1))) (local.get $rowBytes))
                (i32.mul (i32.shl (local.get $q) (i32.const 1)) (local.get $cBytes)))))
          (local.set $ch (i32.const 0))
          (block $chDone (loop $chLoop
            (br_if $chDone (i32.ge_s (local.get $ch) (local.get $cBytes)))
            (local.set $g (v128.load (local.get $gp)))
            (local.set $at (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $ip)))))
            (v128.store (i32.add (local.get $p) (local.get $ch))
              (v128.and (local.get $g) (i32x4.eq (local.get $at) (v128.const i32x4 0 0 0 0))))
            (v128.store (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $cBytes))
              (v128.and (local.get $g) (i32x4.eq (local.get $at) (v128.const i32x4 1 1 1 1))))
            (v128.store (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $rowBytes))
              (v128.and (local.get $g) (i32x4.eq (local.get $at) (v128.const i32x4 2 2 2 2))))
            (v128.store (i32.add (i32.add (local.get $p) (local.get $ch)) (local.get $diag))
              (v128.and (local.get $g) (i32x4.eq (local.get $at) (v128.const i32x4 3 3 3 3))))
            (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
            (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
            (br $chLoop)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $qLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )
)
