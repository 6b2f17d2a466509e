#!/usr/bin/env python3
"""Writes a small TensorFlow.js graph model that uses every operator the
importer takes, with random weights, so that the parity test can check
each of them (and each weight encoding) against TensorFlow.js itself:

  Sub (constant first) and RealDiv by scalars; _FusedConv2D with BiasAdd +
  Relu6, stride 2, SAME on a non-square input; FusedDepthwiseConv2dNative
  with BiasAdd + Prelu; _FusedConv2D 1 x 1 with BiasAdd only; Sigmoid and
  Mul (swish); AvgPool SAME stride 2; DepthwiseConv2dNative VALID; Relu;
  MaxPool VALID; Mul by a per-channel constant; ConcatV2 on channels;
  LeakyRelu; Reshape to [-1, K] (flattening in H, W, C order); a plain
  Conv2D branch with AddV2; Mean over H and W; MatMul and _FusedMatMul
  (BiasAdd + Relu); Softmax; Tanh, a second output.

usage: make_tfjs_model.py OUTDIR {float32,float16,uint8,uint16}
Writes OUTDIR/model.json and its weights in two shards.
"""
import base64
import json
import os
import sys

import numpy as np

rng = np.random.default_rng(18)
H, W, C = 20, 18, 3


def s64(text):
    return {"s": base64.b64encode(text.encode()).decode()}


def ints(values):
    return {"list": {"i": [str(v) for v in values]}}


class Graph:
    def __init__(self, quant):
        self.nodes, self.weights, self.blobs, self.quant = [], [], [], quant

    def const(self, name, value, dtype="float32"):
        value = np.asarray(value, dtype=np.float64)
        spec = {"name": name, "shape": list(value.shape), "dtype": dtype}
        if dtype == "int32":
            blob = value.astype("<i4").tobytes()
        elif self.quant == "float32":
            blob = value.astype("<f4").tobytes()
        elif self.quant == "float16":
            spec["quantization"] = {"dtype": "float16"}
            blob = value.astype("<f2").tobytes()
        else:
            bits = 8 if self.quant == "uint8" else 16
            lo, hi = float(value.min()), float(value.max())
            scale = (hi - lo) / (2 ** bits - 1) if hi > lo else 1.0
            q = np.round((value - lo) / scale)
            spec["quantization"] = {"dtype": self.quant, "scale": scale,
                                    "min": lo}
            blob = q.astype("<u1" if bits == 8 else "<u2").tobytes()
        self.weights.append(spec)
        self.blobs.append(blob)
        self.nodes.append({"name": name, "op": "Const", "attr": {
            "dtype": {"type": "DT_INT32" if dtype == "int32" else "DT_FLOAT"}}})
        return name

    def node(self, name, op, inputs, **attr):
        self.nodes.append({"name": name, "op": op, "input": inputs,
                           "attr": attr})
        return name


def conv_attr(strides, padding, fused=None, nargs=None):
    a = {"strides": ints([1, strides, strides, 1]), "padding": s64(padding),
         "data_format": s64("NHWC"), "dilations": ints([1, 1, 1, 1])}
    if fused:
        a["fused_ops"] = {"list": {"s": [s64(f)["s"] for f in fused]}}
        a["num_args"] = {"i": str(nargs)}
    return a


def build(quant):
    g = Graph(quant)
    r = lambda *shape: rng.uniform(-0.5, 0.5, shape)
    g.nodes.append({"name": "input", "op": "Placeholder", "attr": {
        "shape": {"shape": {"dim": [{"size": "-1"}, {"size": str(H)},
                                    {"size": str(W)}, {"size": str(C)}]}},
        "dtype": {"type": "DT_FLOAT"}}})
    x = g.node("centre", "Sub", [g.const("quarter", 0.25), "input"])
    x = g.node("scaled", "RealDiv", [x, g.const("three_halves", 1.5)])
    x = g.node("conv1", "_FusedConv2D",
               [x, g.const("w1", r(3, 3, C, 8)), g.const("b1", r(8))],
               **conv_attr(2, "SAME", ["BiasAdd", "Relu6"], 1))
    x = g.node("dw1", "FusedDepthwiseConv2dNative",
               [x, g.const("wd1", r(3, 3, 8, 1)), g.const("bd1", r(8)),
                g.const("alpha1", rng.uniform(0, 0.5, 8))],
               **conv_attr(1, "SAME", ["BiasAdd", "Prelu"], 2))
    x = g.node("pw1", "_FusedConv2D",
               [x, g.const("wp1", r(1, 1, 8, 16)), g.const("bp1", r(16))],
               **conv_attr(1, "VALID", ["BiasAdd"], 1))
    s = g.node("sig", "Sigmoid", [x])
    x = g.node("swish", "Mul", [x, s])
    p = g.node("avg", "AvgPool", [x], ksize=ints([1, 3, 3, 1]),
               **conv_attr(2, "SAME"))
    d = g.node("dw2", "DepthwiseConv2dNative",
               [p, g.const("wd2", r(3, 3, 16, 1))], **conv_attr(1, "VALID"))
    d = g.node("relu", "Relu", [d])
    m = g.node("max", "MaxPool", [d], ksize=ints([1, 2, 2, 1]),
               **conv_attr(1, "VALID"))
    m2 = g.node("scale", "Mul", [m, g.const("per_channel", r(16))])
    c = g.node("cat", "ConcatV2", [m, m2, g.const("axis", 3, "int32")])
    c = g.node("leaky", "LeakyRelu", [c], alpha={"f": 0.1})
    f = g.node("flat", "Reshape", [c, g.const("shape", [-1, 2 * 2 * 32],
                                             "int32")])
    # a plain Conv2D branch added to the swish, then global mean
    b = g.node("conv2", "Conv2D", [p, g.const("w2", r(3, 3, 16, 16))],
               **conv_attr(1, "SAME"))
    b = g.node("sum", "AddV2", [b, p])
    v = g.node("mean", "Mean", [b, g.const("axes", [1, 2], "int32")],
               keep_dims={"b": False})
    h = g.node("fc1", "_FusedMatMul",
               [f, g.const("wf1", r(128, 12)), g.const("bf1", r(12))],
               fused_ops={"list": {"s": [s64("BiasAdd")["s"],
                                         s64("Relu")["s"]]}},
               num_args={"i": "1"}, transpose_a={"b": False},
               transpose_b={"b": False})
    h2 = g.node("fc2", "MatMul", [v, g.const("wf2", r(16, 12))],
                transpose_a={"b": False}, transpose_b={"b": False})
    h = g.node("join", "AddV2", [h, h2])
    logits = g.node("fc3", "_FusedMatMul",
                    [h, g.const("wf3", r(12, 10)), g.const("bf3", r(10))],
                    fused_ops={"list": {"s": [s64("BiasAdd")["s"]]}},
                    num_args={"i": "1"}, transpose_a={"b": False},
                    transpose_b={"b": False})
    g.node("probs", "Softmax", [logits])
    g.node("Identity", "Identity", ["probs"])
    g.node("Identity_1", "Tanh", [logits])
    return g


def main():
    out, quant = sys.argv[1], sys.argv[2]
    g = build(quant)
    os.makedirs(out, exist_ok=True)
    data = b"".join(g.blobs)
    half = len(data) // 2
    shards = ["group1-shard1of2.bin", "group1-shard2of2.bin"]
    for name, part in zip(shards, [data[:half], data[half:]]):
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(part)
    model = {"format": "graph-model", "generatedBy": "gst-ddamfn tests",
             "convertedBy": "make_tfjs_model.py",
             "modelTopology": {"node": g.nodes, "library": {},
                               "versions": {"producer": 1}},
             "weightsManifest": [{"paths": shards, "weights": g.weights}]}
    with open(os.path.join(out, "model.json"), "w") as fh:
        json.dump(model, fh)


if __name__ == "__main__":
    main()
