// ort-blazeface.mjs: runs a BlazeFace ONNX conversion (NHWC float32 input
// "input:0") with ONNX Runtime (onnxruntime-node) on raw inputs and prints
// the outputs as one JSON object {name: {dims, data}}.
//
//   node tests/parity/reference/ort-blazeface.mjs --model M.onnx --input IN.f32
//        --size S [--ort-dir DIR]
//
// IN.f32: raw little-endian float32, S x S x 3 (RGB in [-1, 1]).
// --ort-dir: a folder whose node_modules holds onnxruntime-node.
//
// Copyright (C) 2026 the gst-ddamfn authors
// SPDX-License-Identifier: LGPL-2.1-or-later
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const opt = { ortDir: '.' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
  opt[k] = argv[i + 1];
}
if (!opt.model || !opt.input || !opt.size)
  throw new Error('--model, --input and --size are required');
const require = createRequire(path.join(path.resolve(opt.ortDir), 'x.js'));
const ort = require('onnxruntime-node');
const S = parseInt(opt.size, 10);
const buf = readFileSync(opt.input);
if (buf.length !== S * S * 3 * 4)
  throw new Error(`input has ${buf.length} bytes, expected ${S * S * 3 * 4}`);
const data = new Float32Array(buf.buffer, buf.byteOffset, S * S * 3);
const session = await ort.InferenceSession.create(opt.model, {
  intraOpNumThreads: 1, interOpNumThreads: 1,
});
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [1, S, S, 3]) };
const out = await session.run(feeds);
const res = {};
for (const name of session.outputNames)
  res[name] = { dims: out[name].dims, data: Array.from(out[name].data) };
process.stdout.write(JSON.stringify(res) + '\n');
