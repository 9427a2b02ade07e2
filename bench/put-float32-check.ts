// Exhaustive check behind putFloat32's digit search (src/lm/arpa-write.ts): for every float32 a in [1e-13, 10)
// the search that starts at 7 digits finds the same shortest round-tripping digit count as the upward search
// from 1 (formatFloat32's); and, on every 101st of those values and both signs, putFloat32 writes exactly the
// characters of formatFloat32. `npx vite-node bench/put-float32-check.ts [FROM_BITS TO_BITS]` (a few minutes).
import { formatFloat32, putFloat32 } from '../src/lm/arpa-write.js';

const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const f32 = new Float32Array(1);
const bits = new Uint32Array(f32.buffer);
const trips = (a: number, e: number, p: number) => Math.fround(Math.round(a * POW10[p - 1 - e]) / POW10[p - 1 - e]) === a;

const from = Number(process.argv[2] ?? 0x29e10000); // just below 1e-13
const to = Number(process.argv[3] ?? 0x41200000); // 10
const out = new Uint8Array(64);
let checked = 0;
let sampled = 0;
for (let b = from; b < to; b++) {
  bits[0] = b;
  const a = f32[0];
  const e = Math.floor(Math.log10(a));
  if (!(e <= 0 && e >= -13)) continue;
  let up = 1;
  while (up <= 9 && !trips(a, e, up)) up++;
  let mid = trips(a, e, 7) ? 1 : 8;
  while (mid <= 9 && !trips(a, e, mid)) mid++;
  if (up !== mid) throw new Error(`float32 bits 0x${b.toString(16)} (${a}): upward search ${up} digits, from 7: ${mid}`);
  checked++;
  if (b % 101 === 0) {
    for (const x of [a, -a]) {
      const n = putFloat32(x, out, 0);
      const s = formatFloat32(x);
      if (Buffer.from(out.subarray(0, n)).toString('latin1') !== s) throw new Error(`putFloat32(${x}) differs from formatFloat32: ${s}`);
    }
    sampled++;
  }
}
console.log(
  `${checked} float32 values in [1e-13, 10) (bits 0x${from.toString(16)}..0x${to.toString(16)}): same digit count; ${sampled} sampled: putFloat32 = formatFloat32`,
);
