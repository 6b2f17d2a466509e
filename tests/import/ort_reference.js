// ONNX Runtime's outputs for the ONNX parity test (onnxruntime-node, CPU):
//   node ort_reference.js MODEL.onnx IN.f32 C,H,W OUT.json
// IN.f32 holds N inputs of C x H x W little-endian float32; OUT.json gets
// {"version": ..., "outputs": [every output's values, N faces each]}.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, raw, shape, out] = process.argv.slice(2);
  const dims = shape.split(',').map(Number);
  const per = dims.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(raw);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset,
    buf.byteOffset + buf.length));
  const n = data.length / per;
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, executionProviders: ['cpu'] });
  const x = new ort.Tensor('float32', data, [n, ...dims]);
  const r = await session.run({ [session.inputNames[0]]: x });
  const outputs = session.outputNames.map((name) => Array.from(r[name].data));
  const version = require('onnxruntime-node/package.json').version;
  fs.writeFileSync(out, JSON.stringify({ version, outputs }));
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
