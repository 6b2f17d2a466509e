// The reference for TensorFlow.js graph models: TensorFlow.js's own CPU
// backend (pure JavaScript) in Node, the model loaded by tf.loadGraphModel
// through an IO handler that reads model.json and its shards from disk.
//
//   node tfjs_reference.js MODEL.json IN.f32 OUT.json
//
// IN.f32: N inputs of the shape model.json's input declares (NHWC),
// float32. OUT.json: [{"NAME": [...]}, ...], one object per input, every
// output of the graph by its node name.
//
// Copyright (C) 2026 the gst-ddamfn authors
// SPDX-License-Identifier: LGPL-2.1-or-later
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [modelPath, inPath, outPath] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const dir = path.dirname(modelPath);
  const handler = {
    load: async () => {
      const specs = [];
      const buffers = [];
      for (const group of json.weightsManifest) {
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
        specs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
  const model = await tf.loadGraphModel(handler);
  const input = model.inputs[0];
  const shape = input.shape.slice(1);
  const per = shape.reduce((a, b) => a * b, 1);
  const raw = fs.readFileSync(inPath);
  const data = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const n = data.length / per;
  const outNames = model.outputs.map((o) => o.name.replace(/:0$/, ''));
  const x = tf.tensor(data, [n, ...shape], 'float32');
  let ys = model.execute(x, model.outputs.map((o) => o.name));
  if (!Array.isArray(ys)) ys = [ys];
  const values = ys.map((y) => y.dataSync());
  const result = [];
  for (let f = 0; f < n; f++) {
    const face = {};
    ys.forEach((y, k) => {
      const len = y.size / n;
      face[outNames[k]] = Array.from(values[k].slice(f * len, (f + 1) * len));
    });
    result.push(face);
  }
  fs.writeFileSync(outPath, JSON.stringify(result));
  console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, ${n} inputs, outputs ${outNames.join(', ')}`);
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
