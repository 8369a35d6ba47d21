;; sma_cross's swap scan: the bars where the fast mean crosses the slow one, without a
;; target array (indicators/cross-scan.ts loads it from cross-scan-module.ts, generated
;; by `npm run wasm`; its JS twin in cross-scan.ts gives the same list).
;;
;; Memory: hi (the prefix sums of close, window-sums.ts) as f64 from byte 0, n + 1 of
;; them; the swap bars are written as i32 from byte `out`.
;;
;; For bar i the filter (docs/strategies.md, "sma_cross: the filter") is
;;   a = (hi[i+1] - hi[i+1-fast]) * slow - (hi[i+1] - hi[i+1-slow]) * fast
;; and the target decided at i is certainly 1 when a > t, certainly 0 when a < -t.
;; `scan` goes from bar i while every bar certainly keeps the target `prev`, lists each
;; certain change (the fill bar i + 1, when i + 1 < n) and flips `prev`, and stops at the
;; first bar it cannot decide (the caller decides it exactly) or at `to`. It returns where
;; it stopped; `count` (swaps written since the caller reset it) and `prev` are globals.
;; Four bars per step (two f64x2 lanes twice) while all four keep `prev`, one otherwise.
;; The sign of the test is folded into the factors (a * -1 is exact).
(module
  (memory (import "env" "memory") 1)
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $prev (export "prev") (mut i32) (i32.const 0))
  (func (export "scan")
    (param $i i32) (param $to i32) (param $t f64) (param $fast i32) (param $slow i32) (param $n i32) (param $out i32)
    (result i32)
    (local $df i32) (local $ds i32) (local $a i32) (local $p i32)
    (local $x f64) (local $ff f64) (local $sf f64)
    (local $vff v128) (local $vsf v128) (local $vt v128) (local $h v128) (local $d v128)
    (local.set $df (i32.shl (local.get $fast) (i32.const 3)))
    (local.set $ds (i32.shl (local.get $slow) (i32.const 3)))
    (local.set $vt (f64x2.splat (local.get $t)))
    (local.set $p (global.get $prev))
    (block $done
      (loop $bar
        ;; +fast, +slow while long (the bar keeps 1 when a > t); negated while flat
        (local.set $ff (select (f64.convert_i32_s (local.get $fast)) (f64.neg (f64.convert_i32_s (local.get $fast))) (local.get $p)))
        (local.set $sf (select (f64.convert_i32_s (local.get $slow)) (f64.neg (f64.convert_i32_s (local.get $slow))) (local.get $p)))
        (local.set $vff (f64x2.splat (local.get $ff)))
        (local.set $vsf (f64x2.splat (local.get $sf)))
        (block $quads_end
          (loop $quads
            (br_if $quads_end (i32.ge_s (i32.add (local.get $i) (i32.const 3)) (local.get $to)))
            ;; bars i, i + 1
            (local.set $a (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))
            (local.set $h (v128.load (local.get $a)))
            (local.set $d
              (f64x2.sub
                (f64x2.mul (f64x2.sub (local.get $h) (v128.load (i32.sub (local.get $a) (local.get $df)))) (local.get $vsf))
                (f64x2.mul (f64x2.sub (local.get $h) (v128.load (i32.sub (local.get $a) (local.get $ds)))) (local.get $vff))))
            ;; bars i + 2, i + 3
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $h (v128.load (local.get $a)))
            (br_if $quads_end
              (i32.eqz
                (i64x2.all_true
                  (v128.and
                    (f64x2.gt (local.get $d) (local.get $vt))
                    (f64x2.gt
                      (f64x2.sub
                        (f64x2.mul (f64x2.sub (local.get $h) (v128.load (i32.sub (local.get $a) (local.get $df)))) (local.get $vsf))
                        (f64x2.mul (f64x2.sub (local.get $h) (v128.load (i32.sub (local.get $a) (local.get $ds)))) (local.get $vff)))
                      (local.get $vt))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quads)))
        (br_if $done (i32.ge_s (local.get $i) (local.get $to)))
        ;; one bar
        (local.set $a (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))
        (local.set $x
          (f64.sub
            (f64.mul (f64.sub (f64.load (local.get $a)) (f64.load (i32.sub (local.get $a) (local.get $df)))) (local.get $sf))
            (f64.mul (f64.sub (f64.load (local.get $a)) (f64.load (i32.sub (local.get $a) (local.get $ds)))) (local.get $ff))))
        (if (f64.gt (local.get $x) (local.get $t))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $bar)))
        ;; neither certainly kept nor certainly changed: the caller decides this bar
        (br_if $done (i32.eqz (f64.lt (local.get $x) (f64.neg (local.get $t)))))
        ;; a certain change, filled at i + 1 (never after the last bar)
        (local.set $p (i32.xor (local.get $p) (i32.const 1)))
        (if (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (global.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
            (global.set $count (i32.add (global.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bar)))
    (global.set $prev (local.get $p))
    (local.get $i)))
