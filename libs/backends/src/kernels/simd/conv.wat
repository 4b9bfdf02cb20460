;; Convolution kernels for tfjs's wasm backend in WebAssembly SIMD: the forward pass and both gradients
;; of Conv2D, NHWC, reading filters and tensors in place (XNNPACK packs every new filter, and in
;; training every filter is new).
;; Every pointer is a byte offset into tfjs's own linear memory, which the module imports; layouts are
;; NHWC and row-major, as tfjs's wasm kernels use. Assembled at run time by wabt (see
;; load-gradient-kernels.node.ts); callers check the preconditions noted at each function. Products
;; use f32x4.relaxed_madd (a fused multiply-add where the CPU has one: the loops are bound by it);
;; engines without relaxed SIMD get a multiply and an add in its place (relaxed-madd.ts). V8 inlines
;; no calls between WebAssembly functions, so hot loops call none.
(module
  (import "env" "memory" (memory 1))

  ;; Conv2D with no padding (callers pad first), out [N, OH, OW, CO] = act(conv(x, w) + bias):
  ;;   out[n,oh,ow,co] = Σ_{fh,fw,ci} x[n, oh·sh + fh·dh, ow·sw + fw·dw, ci] · w[fh,fw,ci,co]
  ;; An im2col product without the im2col: the output pixels are its rows, four at a time, each read
  ;; through its own input pointer, times 8 output channels in eight vector accumulators, w read in
  ;; place (XNNPACK packs a conv's filter anew for every new filter tensor, so every round). Where
  ;; dw = 1 a filter row's taps and channels are one run of FW·CI floats in x and in w. The last
  ;; M % 4 rows repeat the last pixel's pointer and store only their own rows. bias 0 = none; act 1
  ;; is relu. Needs CO % 8 == 0.
  (func (export "conv2d_valid")
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $act i32)
    (local $M i32) (local $i i32) (local $j i32) (local $rows i32) (local $cob i32) (local $op i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $wp i32) (local $k i32) (local $fh i32) (local $fw i32) (local $row i32) (local $tap i32)
    (local $run i32) (local $runs i32) (local $rowStep i32) (local $tapStep i32)
    (local $cur i32) (local $ow i32) (local $oh i32) (local $pixStep i32) (local $rowJump i32) (local $imageJump i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128) (local $z0 v128) (local $z1 v128)
    (local.set $M (i32.mul (local.get $N) (i32.mul (local.get $OH) (local.get $OW))))
    (local.set $cob (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $run (select (i32.mul (local.get $FW) (local.get $CI)) (local.get $CI) (i32.eq (local.get $dw) (i32.const 1))))
    (local.set $runs (select (i32.const 1) (local.get $FW) (i32.eq (local.get $dw) (i32.const 1))))
    (local.set $tapStep (i32.shl (i32.mul (local.get $dw) (local.get $CI)) (i32.const 2)))
    (local.set $rowStep (i32.shl (i32.mul (i32.mul (local.get $dh) (local.get $W)) (local.get $CI)) (i32.const 2)))
    ;; From one output pixel's input to the next: along a row, to the next row, to the next image.
    (local.set $pixStep (i32.shl (i32.mul (local.get $sw) (local.get $CI)) (i32.const 2)))
    (local.set $rowJump
      (i32.shl (i32.mul (i32.sub (i32.mul (local.get $sh) (local.get $W)) (i32.mul (local.get $OW) (local.get $sw))) (local.get $CI)) (i32.const 2)))
    (local.set $imageJump
      (i32.shl (i32.mul (i32.mul (i32.sub (local.get $H) (i32.mul (local.get $OH) (local.get $sh))) (local.get $W)) (local.get $CI)) (i32.const 2)))
    (local.set $cur (local.get $x))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rowBlocks
      (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $rows (i32.sub (local.get $M) (local.get $i)))
      ;; q0..q3: the block's pixels, walked from the last block's (a row or an image ends between any two).
      (local.set $q0 (local.get $cur))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q1 (select (local.get $cur) (local.get $q0) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $M))))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q2 (select (local.get $cur) (local.get $q1) (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $M))))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q3 (select (local.get $cur) (local.get $q2) (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $M))))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_s (local.get $j) (local.get $CO)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $row (i32.const 0))
        (local.set $fh (local.get $FH))
        (loop $filterRows
          (local.set $tap (local.get $row))
          (local.set $fw (local.get $runs))
          (loop $taps
              (local.set $p0 (i32.add (local.get $q0) (local.get $tap)))
              (local.set $p1 (i32.add (local.get $q1) (local.get $tap)))
              (local.set $p2 (i32.add (local.get $q2) (local.get $tap)))
              (local.set $p3 (i32.add (local.get $q3) (local.get $tap)))
            (local.set $k (local.get $run))
            (loop $kLoop
              (local.set $b0 (v128.load (local.get $wp)))
              (local.set $b1 (v128.load offset=16 (local.get $wp)))
                (local.set $s (v128.load32_splat (local.get $p0)))
                (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c00)))
                (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c01)))
                (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
                (local.set $s (v128.load32_splat (local.get $p1)))
                (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c10)))
                (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c11)))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                (local.set $s (v128.load32_splat (local.get $p2)))
                (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c20)))
                (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c21)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                (local.set $s (v128.load32_splat (local.get $p3)))
                (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c30)))
                (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c31)))
                (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
              (local.set $wp (i32.add (local.get $wp) (local.get $cob)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $kLoop (i32.gt_s (local.get $k) (i32.const 0))))
            (local.set $tap (i32.add (local.get $tap) (local.get $tapStep)))
            (local.set $fw (i32.sub (local.get $fw) (i32.const 1)))
            (br_if $taps (i32.gt_s (local.get $fw) (i32.const 0))))
          (local.set $row (i32.add (local.get $row) (local.get $rowStep)))
          (local.set $fh (i32.sub (local.get $fh) (i32.const 1)))
          (br_if $filterRows (i32.gt_s (local.get $fh) (i32.const 0))))
        (if (local.get $bias)
          (then
            (local.set $z0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $z1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $op (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $cob))) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $c00 (f32x4.add (local.get $c00) (local.get $z0)))
        (local.set $c01 (f32x4.add (local.get $c01) (local.get $z1)))
        (local.set $c10 (f32x4.add (local.get $c10) (local.get $z0)))
        (local.set $c11 (f32x4.add (local.get $c11) (local.get $z1)))
        (local.set $c20 (f32x4.add (local.get $c20) (local.get $z0)))
        (local.set $c21 (f32x4.add (local.get $c21) (local.get $z1)))
        (local.set $c30 (f32x4.add (local.get $c30) (local.get $z0)))
        (local.set $c31 (f32x4.add (local.get $c31) (local.get $z1)))
        ;; Relu as tfjs's (x < 0 ? 0 : x), written out here: V8 does not inline wasm calls, and they cost this loop.
        (if (local.get $act)
          (then
            (local.set $c00 (v128.andnot (local.get $c00) (f32x4.lt (local.get $c00) (v128.const i32x4 0 0 0 0))))
            (local.set $c01 (v128.andnot (local.get $c01) (f32x4.lt (local.get $c01) (v128.const i32x4 0 0 0 0))))
            (local.set $c10 (v128.andnot (local.get $c10) (f32x4.lt (local.get $c10) (v128.const i32x4 0 0 0 0))))
            (local.set $c11 (v128.andnot (local.get $c11) (f32x4.lt (local.get $c11) (v128.const i32x4 0 0 0 0))))
            (local.set $c20 (v128.andnot (local.get $c20) (f32x4.lt (local.get $c20) (v128.const i32x4 0 0 0 0))))
            (local.set $c21 (v128.andnot (local.get $c21) (f32x4.lt (local.get $c21) (v128.const i32x4 0 0 0 0))))
            (local.set $c30 (v128.andnot (local.get $c30) (f32x4.lt (local.get $c30) (v128.const i32x4 0 0 0 0))))
            (local.set $c31 (v128.andnot (local.get $c31) (f32x4.lt (local.get $c31) (v128.const i32x4 0 0 0 0))))))
        (if (i32.gt_s (local.get $rows) (i32.const 0))
          (then
            (v128.store (local.get $op) (local.get $c00))
            (v128.store offset=16 (local.get $op) (local.get $c01))
            (local.set $op (i32.add (local.get $op) (local.get $cob)))))
        (if (i32.gt_s (local.get $rows) (i32.const 1))
          (then
            (v128.store (local.get $op) (local.get $c10))
            (v128.store offset=16 (local.get $op) (local.get $c11))
            (local.set $op (i32.add (local.get $op) (local.get $cob)))))
        (if (i32.gt_s (local.get $rows) (i32.const 2))
          (then
            (v128.store (local.get $op) (local.get $c20))
            (v128.store offset=16 (local.get $op) (local.get $c21))
            (local.set $op (i32.add (local.get $op) (local.get $cob)))))
        (if (i32.gt_s (local.get $rows) (i32.const 3))
          (then
            (v128.store (local.get $op) (local.get $c30))
            (v128.store offset=16 (local.get $op) (local.get $c31))
            (local.set $op (i32.add (local.get $op) (local.get $cob)))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rowBlocks)))
  )

  ;; Conv2D input gradient by scattering, for a conv with no padding (callers give a padded dx and
  ;; crop it): every output pixel's dy row times wT [CO, FH·FW·CI] (the filter with its output channels
  ;; first) gives that pixel's FH·FW·CI input terms, which are added into dx where the forward pass read
  ;; them. Four pixels × 8 of those terms at a time in eight vector accumulators. Unlike the gradient
  ;; as a conv over zero-padded dy, it multiplies no padding (35.7 M against 49.8 M multiply-adds
  ;; for the small CNN's second layer) and needs no stuffing for strides. Zeroes dx first.
  ;; Needs CI % 8 == 0.
  (func (export "conv2d_input_grad_scatter")
    (param $dy i32) (param $wT i32) (param $dx i32)
    (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (local $M i32) (local $K i32) (local $i i32) (local $j i32) (local $rows i32) (local $kb i32) (local $dRow i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $p i32) (local $wp i32) (local $k i32) (local $off i32) (local $fh i32) (local $fw i32) (local $ci i32)
    (local $cur i32) (local $ow i32) (local $oh i32) (local $pixStep i32) (local $rowJump i32) (local $imageJump i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (local.get $N) (local.get $H)) (i32.mul (local.get $W) (local.get $CI))) (i32.const 2)))
    (local.set $M (i32.mul (local.get $N) (i32.mul (local.get $OH) (local.get $OW))))
    (local.set $K (i32.mul (i32.mul (local.get $FH) (local.get $FW)) (local.get $CI)))
    (local.set $kb (i32.shl (local.get $K) (i32.const 2)))
    (local.set $dRow (i32.shl (local.get $CO) (i32.const 2)))
    ;; As in conv2d_valid: from one output pixel's first input to the next one's.
    (local.set $pixStep (i32.shl (i32.mul (local.get $sw) (local.get $CI)) (i32.const 2)))
    (local.set $rowJump
      (i32.shl (i32.mul (i32.sub (i32.mul (local.get $sh) (local.get $W)) (i32.mul (local.get $OW) (local.get $sw))) (local.get $CI)) (i32.const 2)))
    (local.set $imageJump
      (i32.shl (i32.mul (i32.mul (i32.sub (local.get $H) (i32.mul (local.get $OH) (local.get $sh))) (local.get $W)) (local.get $CI)) (i32.const 2)))
    (local.set $cur (local.get $dx))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rowBlocks
      (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $rows (i32.sub (local.get $M) (local.get $i)))
      ;; Pixels past M keep a pointer but add nothing (rows).
      (local.set $q0 (local.get $cur))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q1 (local.get $cur))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q2 (local.get $cur))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $q3 (local.get $cur))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (local.set $cur (i32.add (local.get $cur) (local.get $pixStep)))
      (if (i32.eq (local.get $ow) (local.get $OW))
        (then
          (local.set $ow (i32.const 0))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (local.set $cur (i32.add (local.get $cur) (local.get $rowJump)))
          (if (i32.eq (local.get $oh) (local.get $OH))
            (then (local.set $oh (i32.const 0)) (local.set $cur (i32.add (local.get $cur) (local.get $imageJump)))))))
      (local.set $j (i32.const 0))
      (local.set $fh (i32.const 0)) (local.set $fw (i32.const 0)) (local.set $ci (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_s (local.get $j) (local.get $K)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $d0 (i32.add (local.get $dy) (i32.mul (local.get $i) (local.get $dRow))))
        ;; A pixel past M reads its predecessor's dy row, not past the end of dy.
        (local.set $d1 (i32.add (local.get $d0) (select (local.get $dRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 1)))))
        (local.set $d2 (i32.add (local.get $d1) (select (local.get $dRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 2)))))
        (local.set $d3 (i32.add (local.get $d2) (select (local.get $dRow) (i32.const 0) (i32.gt_s (local.get $rows) (i32.const 3)))))
        (local.set $wp (i32.add (local.get $wT) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $CO))
        (loop $kLoop
          (local.set $b0 (v128.load (local.get $wp)))
          (local.set $b1 (v128.load offset=16 (local.get $wp)))
                (local.set $s (v128.load32_splat (local.get $d0)))
                (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c00)))
                (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c01)))
                (local.set $s (v128.load32_splat (local.get $d1)))
                (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c10)))
                (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c11)))
                (local.set $s (v128.load32_splat (local.get $d2)))
                (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c20)))
                (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c21)))
                (local.set $s (v128.load32_splat (local.get $d3)))
                (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c30)))
                (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c31)))
          (local.set $d0 (i32.add (local.get $d0) (i32.const 4)))
          (local.set $d1 (i32.add (local.get $d1) (i32.const 4)))
          (local.set $d2 (i32.add (local.get $d2) (i32.const 4)))
          (local.set $d3 (i32.add (local.get $d3) (i32.const 4)))
          (local.set $wp (i32.add (local.get $wp) (local.get $kb)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $kLoop (i32.gt_s (local.get $k) (i32.const 0))))
        ;; Terms j..j+7 are input channels ci..ci+7 at filter tap (fh, fw).
        (local.set $off
          (i32.shl
            (i32.add
              (i32.mul
                (i32.add (i32.mul (i32.mul (local.get $fh) (local.get $dh)) (local.get $W)) (i32.mul (local.get $fw) (local.get $dw)))
                (local.get $CI))
              (local.get $ci))
            (i32.const 2)))
        (if (i32.gt_s (local.get $rows) (i32.const 0))
          (then
            (local.set $p (i32.add (local.get $q0) (local.get $off)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $c00)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c01)))))
        (if (i32.gt_s (local.get $rows) (i32.const 1))
          (then
            (local.set $p (i32.add (local.get $q1) (local.get $off)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $c10)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c11)))))
        (if (i32.gt_s (local.get $rows) (i32.const 2))
          (then
            (local.set $p (i32.add (local.get $q2) (local.get $off)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $c20)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c21)))))
        (if (i32.gt_s (local.get $rows) (i32.const 3))
          (then
            (local.set $p (i32.add (local.get $q3) (local.get $off)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $c30)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (local.get $c31)))))
        (local.set $ci (i32.add (local.get $ci) (i32.const 8)))
        (if (i32.eq (local.get $ci) (local.get $CI))
          (then
            (local.set $ci (i32.const 0))
            (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
            (if (i32.eq (local.get $fw) (local.get $FW))
              (then (local.set $fw (i32.const 0)) (local.set $fh (i32.add (local.get $fh) (i32.const 1)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rowBlocks)))
  )

  ;; Conv2D input gradient at stride 1 (no dilation), out [N, H, W, CI]:
  ;;   out[n,ih,iw,ci] = Σ_{fh,fw,co} dy[n, ih + pt − fh, iw + pl − fw, co] · w[fh,fw,ci,co]
  ;; over the positions inside dy. Output channels four at a time, summed across lanes at the end;
  ;; for few input channels (a first layer's image), where XNNPACK's transposed conv has a single
  ;; output channel and runs slowly. Needs CO % 4 == 0.
  (func (export "conv2d_input_grad")
    (param $dy i32) (param $w i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $FH i32) (param $FW i32) (param $pt i32) (param $pl i32)
    (local $n i32) (local $ih i32) (local $iw i32) (local $ci i32) (local $fh i32) (local $fw i32)
    (local $oh i32) (local $ow i32) (local $co i32) (local $dp i32) (local $wp i32) (local $op i32)
    (local $coBytes i32) (local $acc v128)
    (local.set $coBytes (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $op (local.get $out))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $ih (i32.const 0))
      (block $ihDone (loop $ihLoop
        (br_if $ihDone (i32.ge_s (local.get $ih) (local.get $H)))
        (local.set $iw (i32.const 0))
        (block $iwDone (loop $iwLoop
          (br_if $iwDone (i32.ge_s (local.get $iw) (local.get $W)))
          (local.set $ci (i32.const 0))
          (block $ciDone (loop $ciLoop
            (br_if $ciDone (i32.ge_s (local.get $ci) (local.get $CI)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $fh (i32.const 0))
            (block $fhDone (loop $fhLoop
              (br_if $fhDone (i32.ge_s (local.get $fh) (local.get $FH)))
              (local.set $oh (i32.sub (i32.add (local.get $ih) (local.get $pt)) (local.get $fh)))
              (if (i32.and (i32.ge_s (local.get $oh) (i32.const 0)) (i32.lt_s (local.get $oh) (local.get $OH)))
                (then
                  (local.set $fw (i32.const 0))
                  (block $fwDone (loop $fwLoop
                    (br_if $fwDone (i32.ge_s (local.get $fw) (local.get $FW)))
                    (local.set $ow (i32.sub (i32.add (local.get $iw) (local.get $pl)) (local.get $fw)))
                    (if (i32.and (i32.ge_s (local.get $ow) (i32.const 0)) (i32.lt_s (local.get $ow) (local.get $OW)))
                      (then
                        (local.set $dp
                          (i32.add (local.get $dy)
                            (i32.mul
                              (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW)) (local.get $ow))
                              (local.get $coBytes))))
                        (local.set $wp
                          (i32.add (local.get $w)
                            (i32.mul
                              (i32.add (i32.mul (i32.add (i32.mul (local.get $fh) (local.get $FW)) (local.get $fw)) (local.get $CI)) (local.get $ci))
                              (local.get $coBytes))))
                        (local.set $co (i32.const 0))
                        (block $coDone (loop $coLoop
                          (br_if $coDone (i32.ge_s (local.get $co) (local.get $coBytes)))
                          (local.set $acc
                            (f32x4.relaxed_madd
                              (v128.load (i32.add (local.get $dp) (local.get $co)))
                              (v128.load (i32.add (local.get $wp) (local.get $co)))
                              (local.get $acc)))
                          (local.set $co (i32.add (local.get $co) (i32.const 16)))
                          (br $coLoop)))))
                    (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                    (br $fwLoop)))))
              (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
              (br $fhLoop)))
            (f32.store (local.get $op)
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
            (local.set $op (i32.add (local.get $op) (i32.const 4)))
            (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
            (br $ciLoop)))
          (local.set $iw (i32.add (local.get $iw) (i32.const 1)))
          (br $iwLoop)))
        (local.set $ih (i32.add (local.get $ih) (i32.const 1)))
        (br $ihLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )

  ;; Conv2D filter gradient, out [FH, FW, CI, CO]:
  ;;   out[fh,fw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh + fh·dh − pt, ow·sw + fw·dw − pl, ci] · dy[n,oh,ow,co]
  ;; Terms whose input position falls in the padding are zero and skipped. Needs CO % 16 == 0:
  ;; each pass keeps 16 output channels (of one or two input channels) in vector accumulators, with
  ;; no loads or stores of the output inside the loop. Image by image: one image's x and dy stay in
  ;; the core's caches while every filter element is summed over them (over the whole batch at once,
  ;; each pass read all of dy again from memory: 5.5 → 3.4 ms for the small CNN's second layer).
  ;; The first image writes every output element, so `out` needs no zeroing.
  (func (export "conv2d_filter_grad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32)
    (param $FH i32) (param $FW i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
    (local $fh i32) (local $fw i32) (local $ci i32) (local $co i32)
    (local $n i32) (local $oh i32) (local $ih i32)
    (local $owStart i32) (local $owEnd i32) (local $lo i32) (local $hi i32)
    (local $xp i32) (local $dp i32) (local $cnt i32) (local $op i32)
    (local $xStep i32) (local $dStep i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $u v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $pair i32)
    (local $op2 i32) (local $xRow i32) (local $dRow i32) (local $xRowStep i32) (local $dRowStep i32)
    (local.set $xStep (i32.shl (i32.mul (local.get $sw) (local.get $CI)) (i32.const 2)))
    (local.set $dStep (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $xRowStep (i32.shl (i32.mul (i32.mul (local.get $sh) (local.get $W)) (local.get $CI)) (i32.const 2)))
    (local.set $dRowStep (i32.shl (i32.mul (local.get $OW) (local.get $CO)) (i32.const 2)))
    (local.set $n (i32.const 0))
    (block $nDone (loop $nLoop
    (br_if $nDone (i32.ge_s (local.get $n) (local.get $N)))
    (local.set $fh (i32.const 0))
    (block $fhDone (loop $fhLoop
      (br_if $fhDone (i32.ge_s (local.get $fh) (local.get $FH)))
      (local.set $fw (i32.const 0))
      (block $fwDone (loop $fwLoop
        (br_if $fwDone (i32.ge_s (local.get $fw) (local.get $FW)))
        ;; The outputs ow whose input column ow·sw + fw·dw − pl lies in [0, W).
        (local.set $lo (i32.sub (local.get $pl) (i32.mul (local.get $fw) (local.get $dw))))
        (local.set $owStart
          (select
            (i32.div_s (i32.sub (i32.add (local.get $lo) (local.get $sw)) (i32.const 1)) (local.get $sw))
            (i32.const 0)
            (i32.gt_s (local.get $lo) (i32.const 0))))
        (local.set $hi (i32.add (i32.sub (local.get $W) (i32.const 1)) (local.get $lo)))
        (local.set $owEnd
          (select
            (i32.const 0)
            (i32.add (i32.div_s (local.get $hi) (local.get $sw)) (i32.const 1))
            (i32.lt_s (local.get $hi) (i32.const 0))))
        (if (i32.gt_s (local.get $owEnd) (local.get $OW)) (then (local.set $owEnd (local.get $OW))))
        (local.set $ci (i32.const 0))
        (block $ciDone (loop $ciLoop
          (br_if $ciDone (i32.ge_s (local.get $ci) (local.get $CI)))
          (local.set $co (i32.const 0))
          (block $coDone (loop $coLoop
            (br_if $coDone (i32.ge_s (local.get $co) (local.get $CO)))
            (local.set $op
              (i32.add (local.get $out)
                (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.add (i32.mul (i32.add (i32.mul (local.get $fh) (local.get $FW)) (local.get $fw)) (local.get $CI)) (local.get $ci))
                      (local.get $CO))
                    (local.get $co))
                  (i32.const 2))))
            ;; Two input channels per pass where there are two left: each dy load serves both.
            (local.set $pair (i32.lt_s (i32.add (local.get $ci) (i32.const 1)) (local.get $CI)))
            ;; Each image's sums start from zero and are added to out once at the end: a two-level sum,
            ;; whose float32 rounding grows with OH·OW + N terms rather than OH·OW·N (at 1,024 images
            ;; the running sum in out drifted 1e-5 from cpu's float64 one).
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $b1 (v128.const i32x4 0 0 0 0))
            (local.set $b2 (v128.const i32x4 0 0 0 0))
            (local.set $b3 (v128.const i32x4 0 0 0 0))
            (local.set $op2 (i32.add (local.get $op) (i32.shl (local.get $CO) (i32.const 2))))
              ;; Row oh = 0's input row ih and both pointers, then a step per output row. xp is only
              ;; read where ih lies inside x; the wrapping i32 arithmetic of a row above it is harmless.
              (local.set $ih (i32.sub (i32.mul (local.get $fh) (local.get $dh)) (local.get $pt)))
              (local.set $xRow
                (i32.add (local.get $x)
                  (i32.shl
                    (i32.add
                      (i32.mul
                        (i32.add
                          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W))
                          (i32.add (i32.mul (local.get $owStart) (local.get $sw)) (i32.sub (i32.mul (local.get $fw) (local.get $dw)) (local.get $pl))))
                        (local.get $CI))
                      (local.get $ci))
                    (i32.const 2))))
              (local.set $dRow
                (i32.add (local.get $dy)
                  (i32.shl
                    (i32.add
                      (i32.mul
                        (i32.add (i32.mul (i32.mul (local.get $n) (local.get $OH)) (local.get $OW)) (local.get $owStart))
                        (local.get $CO))
                      (local.get $co))
                    (i32.const 2))))
              (local.set $oh (i32.const 0))
              (block $ohDone (loop $ohLoop
                (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $OH)))
                (local.set $cnt (i32.sub (local.get $owEnd) (local.get $owStart)))
                (if (i32.and
                      (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
                      (i32.gt_s (local.get $cnt) (i32.const 0)))
                  (then
                    (local.set $xp (local.get $xRow))
                    (local.set $dp (local.get $dRow))
                    (if (local.get $pair)
                      (then
                        (loop $owPairLoop
                          (local.set $v (f32x4.splat (f32.load offset=0 (local.get $xp))))
                          (local.set $u (f32x4.splat (f32.load offset=4 (local.get $xp))))
                          (local.set $d0 (v128.load offset=0 (local.get $dp)))
                          (local.set $d1 (v128.load offset=16 (local.get $dp)))
                          (local.set $d2 (v128.load offset=32 (local.get $dp)))
                          (local.set $d3 (v128.load offset=48 (local.get $dp)))
                          (local.set $a0 (f32x4.relaxed_madd (local.get $v) (local.get $d0) (local.get $a0)))
                          (local.set $a1 (f32x4.relaxed_madd (local.get $v) (local.get $d1) (local.get $a1)))
                          (local.set $a2 (f32x4.relaxed_madd (local.get $v) (local.get $d2) (local.get $a2)))
                          (local.set $a3 (f32x4.relaxed_madd (local.get $v) (local.get $d3) (local.get $a3)))
                          (local.set $b0 (f32x4.relaxed_madd (local.get $u) (local.get $d0) (local.get $b0)))
                          (local.set $b1 (f32x4.relaxed_madd (local.get $u) (local.get $d1) (local.get $b1)))
                          (local.set $b2 (f32x4.relaxed_madd (local.get $u) (local.get $d2) (local.get $b2)))
                          (local.set $b3 (f32x4.relaxed_madd (local.get $u) (local.get $d3) (local.get $b3)))
                          (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
                          (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
                          (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
                          (br_if $owPairLoop (i32.gt_s (local.get $cnt) (i32.const 0)))))
                      (else
                        (loop $owLoop
                          (local.set $v (f32x4.splat (f32.load (local.get $xp))))
                          (local.set $a0 (f32x4.relaxed_madd (local.get $v) (v128.load offset=0 (local.get $dp)) (local.get $a0)))
                          (local.set $a1 (f32x4.relaxed_madd (local.get $v) (v128.load offset=16 (local.get $dp)) (local.get $a1)))
                          (local.set $a2 (f32x4.relaxed_madd (local.get $v) (v128.load offset=32 (local.get $dp)) (local.get $a2)))
                          (local.set $a3 (f32x4.relaxed_madd (local.get $v) (v128.load offset=48 (local.get $dp)) (local.get $a3)))
                          (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
                          (local.set $dp (i32.add (local.get $dp) (local.get $dStep)))
                          (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
                          (br_if $owLoop (i32.gt_s (local.get $cnt) (i32.const 0))))))))
                (local.set $xRow (i32.add (local.get $xRow) (local.get $xRowStep)))
                (local.set $dRow (i32.add (local.get $dRow) (local.get $dRowStep)))
                (local.set $ih (i32.add (local.get $ih) (local.get $sh)))
                (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                (br $ohLoop)))
            ;; The first image writes out; every later one adds its sums to it.
            (if (local.get $n)
              (then
                (local.set $a0 (f32x4.add (v128.load offset=0 (local.get $op)) (local.get $a0)))
                (local.set $a1 (f32x4.add (v128.load offset=16 (local.get $op)) (local.get $a1)))
                (local.set $a2 (f32x4.add (v128.load offset=32 (local.get $op)) (local.get $a2)))
                (local.set $a3 (f32x4.add (v128.load offset=48 (local.get $op)) (local.get $a3)))
                (if (local.get $pair)
                  (then
                    (local.set $b0 (f32x4.add (v128.load offset=0 (local.get $op2)) (local.get $b0)))
                    (local.set $b1 (f32x4.add (v128.load offset=16 (local.get $op2)) (local.get $b1)))
                    (local.set $b2 (f32x4.add (v128.load offset=32 (local.get $op2)) (local.get $b2)))
                    (local.set $b3 (f32x4.add (v128.load offset=48 (local.get $op2)) (local.get $b3)))))))
            (v128.store offset=0 (local.get $op) (local.get $a0))
            (v128.store offset=16 (local.get $op) (local.get $a1))
            (v128.store offset=32 (local.get $op) (local.get $a2))
            (v128.store offset=48 (local.get $op) (local.get $a3))
            (if (local.get $pair)
              (then
                (v128.store offset=0 (local.get $op2) (local.get $b0))
                (v128.store offset=16 (local.get $op2) (local.get $b1))
                (v128.store offset=32 (local.get $op2) (local.get $b2))
                (v128.store offset=48 (local.get $op2) (local.get $b3))))
            (local.set $co (i32.add (local.get $co) (i32.const 16)))
            (br $coLoop)))
          (local.set $ci (i32.add (local.get $ci) (select (i32.const 2) (i32.const 1) (local.get $pair))))
          (br $ciLoop)))
        (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
        (br $fwLoop)))
      (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
      (br $fhLoop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $nLoop)))
  )
)
