// ort-bench.mjs: median milliseconds of one ONNX Runtime (onnxruntime-node)
// inference of a DDAMFN ONNX model at a given batch size and thread count.
//
//   node bench/ort-bench.mjs --model M.onnx --input IN.f32 --batch 8
//        --threads 2 [--runs 30] [--warmup 5] [--ort-dir DIR] [--dump OUT.json]
//        [--shape 3,112,112]
//
// IN.f32: raw little-endian float32 faces, N x 3 x 112 x 112 (N >= batch),
// or N x --shape (one face without the batch: 3,224,224 for a 224 x 224
// NCHW model); the first `batch` faces are used. --ort-dir: a folder whose
// node_modules holds onnxruntime-node (default: this script's folder, i.e.
// bench/).
// Session: intraOpNumThreads = threads, interOpNumThreads = 1, sequential
// execution, graphOptimizationLevel 'all'.
// Prints one JSON line: {"ort_version", "threads", "batch", "runs",
// "median_ms", "ms_per_face"}. --dump writes the first run's outputs.
//
// Copyright (C) 2026 the gst-ddamfn authors
// SPDX-License-Identifier: LGPL-2.1-or-later
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const opt = {
    runs: 30, warmup: 5, batch: 1, threads: 1, shape: '3,112,112',
    ortDir: path.dirname(fileURLToPath(import.meta.url)),
  };
  const names = {
    '--model': 'model', '--input': 'input', '--batch': 'batch',
    '--threads': 'threads', '--runs': 'runs', '--warmup': 'warmup',
    '--ort-dir': 'ortDir', '--dump': 'dump', '--shape': 'shape',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length)
      throw new Error(`bad argument ${argv[i]}`);
    opt[key] = argv[i + 1];
  }
  for (const k of ['runs', 'warmup', 'batch', 'threads']) {
    opt[k] = Number.parseInt(opt[k], 10);
    if (!(opt[k] >= (k === 'warmup' ? 0 : 1)))
      throw new Error(`bad --${k}`);
  }
  if (!opt.model || !opt.input)
    throw new Error('--model and --input are required');
  opt.shape = String(opt.shape).split(',').map((d) => Number.parseInt(d, 10));
  if (!opt.shape.every((d) => d >= 1))
    throw new Error('bad --shape');
  return opt;
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(opt.ortDir), 'x.js'));
  const ort = require('onnxruntime-node');

  const FACE = opt.shape.reduce((a, b) => a * b, 1);
  const buf = readFileSync(opt.input);
  if (buf.length < opt.batch * FACE * 4)
    throw new Error(`${opt.input} holds fewer than ${opt.batch} faces`);
  const data = new Float32Array(opt.batch * FACE);
  for (let i = 0; i < data.length; i++)
    data[i] = buf.readFloatLE(4 * i);

  const session = await ort.InferenceSession.create(opt.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opt.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {
    [session.inputNames[0]]:
      new ort.Tensor('float32', data, [opt.batch, ...opt.shape]),
  };

  const times = [];
  let first = null;
  for (let r = 0; r < opt.warmup + opt.runs; r++) {
    const t0 = performance.now();
    const out = await session.run(feeds);
    const dt = performance.now() - t0;
    if (first === null)
      first = out;
    if (r >= opt.warmup)
      times.push(dt);
  }
  if (opt.dump) {
    const o = {};
    for (const [k, t] of Object.entries(first))
      o[k] = { dims: t.dims, data: Array.from(t.data) };
    writeFileSync(opt.dump, JSON.stringify(o));
  }
  const med = median(times);
  console.log(JSON.stringify({
    ort_version: ort.env.versions ? ort.env.versions.node : 'unknown',
    threads: opt.threads, batch: opt.batch, runs: opt.runs,
    median_ms: med, ms_per_face: med / opt.batch,
  }));
  await session.release();
}

main().catch((e) => {
  console.error(`ort-bench: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
