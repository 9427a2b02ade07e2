// Parity check: ONNX Runtime (Node) vs the PyTorch outputs dumped by export.py.
// usage: node training/onnx_check.cjs training/work/onnx_check/en.json [...]
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', 'node_modules', 'onnxruntime-node'));
(async () => {
  let worst = 0;
  for (const f of process.argv.slice(2)) {
    const meta = JSON.parse(fs.readFileSync(f, 'utf8'));
    const sess = await ort.InferenceSession.create(meta.model);
    const feeds = {};
    for (const [k, v] of Object.entries(meta.inputs)) {
      const buf = fs.readFileSync(v.file);
      const data = v.dtype === 'int64'
        ? new BigInt64Array(buf.buffer, buf.byteOffset, buf.length / 8).slice()
        : new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4).slice();
      feeds[k] = new ort.Tensor(v.dtype, data, v.shape);
    }
    const out = await sess.run(feeds);
    const got = out[meta.output.name];
    const ob = fs.readFileSync(meta.output.file);
    const ref = new Float32Array(ob.buffer, ob.byteOffset, ob.length / 4);
    let maxd = 0;
    for (let i = 0; i < ref.length; i++) maxd = Math.max(maxd, Math.abs(ref[i] - got.data[i]));
    const meta2 = sess.handler && sess.handler.metadata ? '' : '';
    console.log(`${path.basename(f)}: inputs ${sess.inputNames} outputs ${sess.outputNames} shape ${got.dims} ` +
      `(ref ${meta.output.shape}) max|diff| ${maxd.toExponential(3)}${meta2}`);
    if (String(got.dims) !== String(meta.output.shape)) { console.log('SHAPE MISMATCH'); process.exitCode = 1; }
    worst = Math.max(worst, maxd);
    if (meta.inputs.audio_signal) {
      // batched == single: item 2 is item 1 cut to 60 % and zero-padded
      const sig = feeds.audio_signal; const [, F, T] = sig.dims; const T2 = Math.floor(T * 0.6);
      const b = new Float32Array(2 * F * T);
      b.set(sig.data, 0);
      for (let f = 0; f < F; f++) for (let t = 0; t < T2; t++) b[F * T + f * T + t] = sig.data[f * T + t];
      const single = new Float32Array(F * T2);
      for (let f = 0; f < F; f++) for (let t = 0; t < T2; t++) single[f * T2 + t] = sig.data[f * T + t];
      const ob2 = await sess.run({ audio_signal: new ort.Tensor('float32', b, [2, F, T]), length: new ort.Tensor('int64', BigInt64Array.from([BigInt(T), BigInt(T2)]), [2]) });
      const os1 = await sess.run({ audio_signal: new ort.Tensor('float32', single, [1, F, T2]), length: new ort.Tensor('int64', BigInt64Array.from([BigInt(T2)]), [1]) });
      const lb = ob2.logprobs, ls = os1.logprobs; const [, Tb, V] = lb.dims; const Ts = ls.dims[1];
      let md = 0;
      for (let t = 0; t < Ts; t++) for (let v = 0; v < V; v++) md = Math.max(md, Math.abs(lb.data[Tb * V + t * V + v] - ls.data[t * V + v]));
      console.log(`  batched (B=2, padded) vs single: max|diff| ${md.toExponential(3)} over ${Ts} frames`);
      worst = Math.max(worst, md);
    }
  }
  if (worst > 1e-4) { console.log('FAIL: max diff', worst); process.exitCode = 1; } else console.log('OK');
})();
