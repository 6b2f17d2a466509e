#!/usr/bin/env python3
"""Malformed TensorFlow.js models get one clear error each, at load time:
each case breaks one thing in the generated model of make_tfjs_model.py
(float32 shards) and graph-run must exit 1 with one line naming the file
and the problem (and, for graph problems, the node), never crash.

With --corpus DIR it also writes every case in the input format of the
fuzz harness (tests/fuzz/harness-tfjs.c) into DIR, as seeds.

usage: test_tfjs_errors.py GRAPH_RUN WORKDIR [--corpus DIR]
"""
import copy
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_tfjs_model  # noqa: E402


def node(m, name):
    return next(n for n in m["modelTopology"]["node"] if n["name"] == name)


def weight(m, name):
    return next(w for w in m["weightsManifest"][0]["weights"]
                if w["name"] == name)


def case_unsupported(m):
    node(m, "relu")["op"] = "Cos"


def case_undefined_input(m):
    node(m, "relu")["input"] = ["nowhere"]


def case_cycle(m):
    node(m, "dw2")["input"][0] = "relu"


def case_filter(m):
    weight(m, "w2")["shape"] = [3, 3, 8, 32]   # same count, wrong channels


def case_dilated(m):
    node(m, "conv2")["attr"]["dilations"] = {"list": {"i": ["1", "2", "2",
                                                            "1"]}}


def case_mean_axes(m):
    node(m, "mean")["input"][1] = "per_channel"


def case_duplicate(m):
    m["modelTopology"]["node"].append(copy.deepcopy(node(m, "relu")))


def case_no_shape(m):
    del node(m, "input")["attr"]["shape"]


def case_dtype(m):
    weight(m, "b1")["dtype"] = "string"


def case_quant(m):
    weight(m, "b1")["quantization"] = {"dtype": "int4", "scale": 1, "min": 0}


def case_negative_dim(m):
    weight(m, "b1")["shape"] = [-8]


def case_huge_dim(m):
    weight(m, "b1")["shape"] = [1 << 40]


def case_shard_path(m):
    m["weightsManifest"][0]["paths"][1] = "../secret.bin"


def case_missing_shard(m):
    m["weightsManifest"][0]["paths"][1] = "absent.bin"


def case_layers(m):
    m["format"] = "layers-model"


def case_no_manifest(m):
    del m["weightsManifest"]


def case_past_end(m):
    m["weightsManifest"][0]["weights"].append(
        {"name": "extra", "shape": [100000], "dtype": "float32"})


def case_reshape(m):
    node(m, "flat")["input"][1] = "per_channel"


# name: (mutation or raw JSON text, what the message must say)
CASES = {
    "unsupported-op": (case_unsupported, "operator 'Cos' (node 'relu') is "
                       "not supported"),
    "undefined-input": (case_undefined_input, "reads 'nowhere', which no "
                        "node defines"),
    "cycle": (case_cycle, "cycle"),
    "filter-shape": (case_filter, "node 'conv2' (Conv2D): filter 'w2'"),
    "dilated": (case_dilated, "node 'conv2' (Conv2D): dilated windows"),
    "mean-axes": (case_mean_axes, "node 'mean' (Mean): only the mean over H "
                  "and W"),
    "duplicate-node": (case_duplicate, "two nodes are named 'relu'"),
    "input-shape": (case_no_shape, "input 'input' has no [N, H, W, C]"),
    "dtype": (case_dtype, "weight 'b1' has dtype string"),
    "quantization": (case_quant, "weight 'b1' is quantized as int4"),
    "negative-dim": (case_negative_dim, "weight 'b1': dimension -8 out of "
                     "range"),
    "huge-dim": (case_huge_dim, "out of range"),
    "shard-path": (case_shard_path, "'../secret.bin' is not a file name "
                   "beside model.json"),
    "missing-shard": (case_missing_shard, "cannot read weight shard"),
    "layers-model": (case_layers, "only graph-model is supported"),
    "no-manifest": (case_no_manifest, "no weightsManifest"),
    "past-end": (case_past_end, "weight 'extra' (400000 bytes"),
    "reshape": (case_reshape, "node 'flat' (Reshape): only a reshape to"),
    "not-json": ("{\"format\": ", "not JSON"),
    "not-object": ("[1, 2, 3]", "the JSON is not an object"),
    "deep": ("[" * 2000 + "]" * 2000, "nested deeper than 64 levels"),
}


def main():
    graph_run, work = sys.argv[1:3]
    corpus = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--corpus" \
        else None
    base_dir = os.path.join(work, "base")
    g = make_tfjs_model.build("float32")
    os.makedirs(base_dir, exist_ok=True)
    data = b"".join(g.blobs)
    half = len(data) // 2
    shards = ["group1-shard1of2.bin", "group1-shard2of2.bin"]
    for name, part in zip(shards, [data[:half], data[half:]]):
        open(os.path.join(base_dir, name), "wb").write(part)
    base = {"format": "graph-model", "modelTopology": {"node": g.nodes},
            "weightsManifest": [{"paths": shards, "weights": g.weights}]}
    failures = []
    for name, (mutate, want) in sorted(CASES.items()):
        if isinstance(mutate, str):
            text = mutate
        else:
            m = copy.deepcopy(base)
            mutate(m)
            text = json.dumps(m)
        path = os.path.join(base_dir, name + ".json")
        open(path, "w").write(text)
        if corpus:
            raw = text.encode()
            open(os.path.join(corpus, "err-" + name), "wb").write(
                struct.pack("<I", len(raw)) + raw + data)
        r = subprocess.run([graph_run, path], capture_output=True, text=True,
                           timeout=60)
        lines = r.stderr.strip().splitlines()
        ok = (r.returncode == 1 and len(lines) == 1 and path in lines[0]
              and want in lines[0])
        print("%-16s %s: %s" % (name, "ok" if ok else "FAIL",
                                lines[0] if lines else "(no message, "
                                "exit %d)" % r.returncode))
        if not ok:
            failures.append(name)
    # the unbroken model loads
    path = os.path.join(base_dir, "model.json")
    open(path, "w").write(json.dumps(base))
    if corpus:
        raw = json.dumps(base).encode()
        open(os.path.join(corpus, "ok-generated"), "wb").write(
            struct.pack("<I", len(raw)) + raw + data)
    r = subprocess.run([graph_run, path], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("base model: " + r.stderr.strip())
    if failures:
        print("FAIL: %s" % ", ".join(failures))
        sys.exit(1)
    print("PASS: %d malformed models, one clear error each" % len(CASES))


if __name__ == "__main__":
    main()
