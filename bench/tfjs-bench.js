// tfjs-bench.js: median milliseconds per face of a TensorFlow.js graph model
// (model.json + weight shards) on TensorFlow.js's own CPU backend (pure
// JavaScript) in Node, on given inputs: the peer bench/card-speed.py sets
// beside libddamfn for the FER2013 mini-Xception, which ONNX Runtime cannot
// run.
//
//   NODE_PATH=REFS/node/node_modules node bench/tfjs-bench.js MODEL.json
//        IN.f32 [--batch 1,8] [--runs 30] [--warmup 5]
//
// IN.f32: float32 inputs in the shape model.json's input declares (NHWC),
// at least as many as the largest batch; batch B runs the first B of them.
// Each run: model.execute on one B-face tensor, then dataSync() of every
// output (the CPU backend computes eagerly; reading the values makes sure
// the time includes all of it). Prints one JSON line:
// {"tfjs", "backend", "runs", "warmup", "ms_per_face": {"1": .., "8": ..}}.
//
// Copyright (C) 2026 the gst-ddamfn authors
// SPDX-License-Identifier: LGPL-2.1-or-later
'use strict';
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const tf = require('@tensorflow/tfjs');

function parseArgs(argv) {
  const opt = { batch: '1,8', runs: 30, warmup: 5, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(batch|runs|warmup)$/.exec(argv[i]);
    if (!m) { opt.files.push(argv[i]); continue; }
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
    opt[m[1]] = argv[++i];
  }
  if (opt.files.length !== 2) throw new Error('usage: tfjs-bench.js MODEL.json IN.f32 [--batch 1,8] [--runs N] [--warmup N]');
  opt.batches = String(opt.batch).split(',').map(Number);
  opt.runs = Number(opt.runs);
  opt.warmup = Number(opt.warmup);
  if (!(opt.runs >= 1 && opt.warmup >= 0 && opt.batches.every((b) => b >= 1)))
    throw new Error('bad --batch, --runs or --warmup');
  return opt;
}

// An IO handler giving tf.loadGraphModel the topology and the weight
// shards read from disk (tf.io's file:// handler needs tfjs-node).
function diskModel(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    load: async () => {
      const shards = [];
      const weightSpecs = [];
      for (const group of doc.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths)
          shards.push(fs.readFileSync(path.join(path.dirname(file), p)));
      }
      const w = Buffer.concat(shards);
      return {
        modelTopology: doc.modelTopology, format: doc.format,
        generatedBy: doc.generatedBy, convertedBy: doc.convertedBy,
        userDefinedMetadata: doc.userDefinedMetadata, weightSpecs,
        weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength),
      };
    },
  };
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(diskModel(opt.files[0]));
  const shape = model.inputs[0].shape.slice(1);
  const per = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(opt.files[1]);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset,
    raw.byteOffset + raw.byteLength));
  const outs = model.outputs.map((o) => o.name);
  const result = {};
  for (const b of opt.batches) {
    if (all.length < b * per)
      throw new Error(`${opt.files[1]} holds fewer than ${b} inputs`);
    const x = tf.tensor(all.subarray(0, b * per), [b, ...shape], 'float32');
    const times = [];
    for (let r = 0; r < opt.warmup + opt.runs; r++) {
      const t0 = performance.now();
      let ys = model.execute(x, outs);
      if (!Array.isArray(ys)) ys = [ys];
      ys.forEach((y) => y.dataSync());
      const dt = performance.now() - t0;
      tf.dispose(ys);
      if (r >= opt.warmup) times.push(dt / b);
    }
    x.dispose();
    result[b] = median(times);
  }
  console.log(JSON.stringify({
    tfjs: tf.version.tfjs, backend: tf.getBackend(), runs: opt.runs,
    warmup: opt.warmup, ms_per_face: result,
  }));
}

main().catch((e) => { console.error(`tfjs-bench: ${e && e.message ? e.message : e}`); process.exit(1); });
