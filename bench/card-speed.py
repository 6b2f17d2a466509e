#!/usr/bin/python3
"""Speed per face of models other than DDAMFN through ddamfnfilter, and of
their networks, against each model's own runtime on the same face crops.

usage: /usr/bin/python3 bench/card-speed.py [--build build]
           [--refs build/tests/import/references] [--onnx FILE]
           [--video ../shared/data/Megamind.avi] [--faces 16] [--runs 20]
           [--tfjs-runs 5] [--seconds 1] [--rounds 3] [--work DIR]

Models: the trained FER2013 mini-Xception (TensorFlow.js graph, REFS/emotion/
emotion.json) and the HSEmotion-layout EfficientNet-B0 ONNX fixture (random
weights; made with tests/import/make_onnx_fixtures.py when --onnx is
missing). For each, strictly one after the other:

  crops    card-crops: Megamind.avi through ddamfnfacedetect ! ddamfnfilter,
           every analysed face cut again with the card's preprocessing
           (FER2013 N x 64 x 64 x 1 NHWC grey, EfficientNet N x 3 x 224 x 224)
  element  bench-filter-overhead: ddamfnfilter per 1080p RGB buffer with 1
           and 16 face ROIs of 200 x 200 (all faces of a frame are one batch,
           1 network thread) / faces; and the crop alone per face (preproc)
  network  bench-engine: ddamfn_session_run, 1 thread, batch 1 and 8
  peer     the same network in its own runtime on the first 1 / 8 crops,
           1 thread: ONNX Runtime for the ONNX model (python3-onnxruntime,
           else onnxruntime-node through bench/ort-bench.mjs), TensorFlow.js's
           CPU backend in Node (bench/tfjs-bench.js) for the TF.js model,
           which ONNX Runtime cannot load

All of it runs --rounds times; each figure is the median of the rounds'
medians; ours/peer = network / peer. Figures only: nothing is asserted.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
BATCHES = (1, 8)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("card-speed: %s exited with %d:\n%s" % (
            " ".join(cmd), r.returncode, (r.stdout + r.stderr)[-2000:]))
    return r.stdout


def crops(a, model, prefix):
    """The shape of one crop (from the card) and the card's name."""
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(a.build, "gst-plugin"))
    run([os.path.join(a.build, "tests", "gst", "card-crops"), model, a.video,
         prefix, str(a.faces)], env)
    doc = json.load(open(prefix + ".json"))
    i = doc["card"]["input"]
    c = 1 if i["colour"] == "grey" else 3
    shape = (c, i["height"], i["width"]) if i["layout"] == "nchw" else \
        (i["height"], i["width"], c)
    if len(doc["faces"]) < max(BATCHES):
        sys.exit("card-speed: only %d faces in %s" % (len(doc["faces"]),
                                                      a.video))
    return shape, doc["card_name"]


def element(a, model):
    """{faces: (element ms/face, crop ms/face)}, RGB frames."""
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(a.build, "gst-plugin"))
    out = run([os.path.join(a.build, "bench", "bench-filter-overhead"), model,
               str(a.seconds)], env)
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 8 and f[0] == "RGB":
            n = int(f[1])
            rows[n] = (float(f[2]) / n, float(f[5]))
    return rows


def network(a, model):
    """{batch: ms/face} and bench-engine's backend line."""
    out = run([os.path.join(a.build, "bench", "bench-engine"), model,
               "--batch", ",".join(map(str, BATCHES)), "--threads", "1",
               "--runs", str(a.runs)])
    rows, backend = {}, ""
    for line in out.splitlines():
        f = line.split()
        if line.startswith("backend:"):
            backend = line[len("backend:"):].strip()
        elif len(f) == 5 and f[0] == "1" and f[1].isdigit():
            rows[int(f[1])] = float(f[2])
    return rows, backend


def find_ort(refs):
    """(how, where, its name): Python's onnxruntime, else onnxruntime-node
    in one of three folders, else (None, None, why)."""
    try:
        import onnxruntime
        return "python", None, "ONNX Runtime %s (Python)" % \
            onnxruntime.__version__
    except ImportError:
        pass
    for d in (HERE, "/opt/ortbench", os.path.join(refs, "node")):
        if os.path.isdir(os.path.join(d, "node_modules", "onnxruntime-node")):
            return "node", d, "ONNX Runtime (onnxruntime-node in %s)" % d
    return None, None, "none: no ONNX Runtime installed (python3-" \
        "onnxruntime, or onnxruntime-node in bench/, /opt/ortbench or REFS/node)"


def ort(a, how, model, raw, shape):
    """{batch: ms/face}: ONNX Runtime, 1 intra-op and 1 inter-op thread."""
    out = {}
    if how[0] == "node":
        for b in BATCHES:
            r = json.loads(run(["node", os.path.join(HERE, "ort-bench.mjs"),
                                "--model", model, "--input", raw,
                                "--batch", str(b), "--threads", "1",
                                "--runs", str(a.runs), "--warmup", "3",
                                "--shape", ",".join(map(str, shape)),
                                "--ort-dir", how[1]]))
            out[b] = r["ms_per_face"]
        return out
    import onnxruntime as rt
    opts = rt.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = rt.GraphOptimizationLevel.ORT_ENABLE_ALL
    s = rt.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    x = np.fromfile(raw, "<f4").reshape((-1,) + shape)
    for b in BATCHES:
        feed = {s.get_inputs()[0].name: x[:b]}
        times = []
        for i in range(3 + a.runs):
            t0 = time.perf_counter()
            s.run(None, feed)
            if i >= 3:
                times.append((time.perf_counter() - t0) * 1000 / b)
        out[b] = statistics.median(times)
    return out


def tfjs(a, model, raw):
    """{batch: ms/face}: TensorFlow.js CPU backend (bench/tfjs-bench.js)."""
    env = dict(os.environ, NODE_PATH=os.path.join(a.refs, "node",
                                                  "node_modules"))
    r = json.loads(run(["node", os.path.join(HERE, "tfjs-bench.js"), model,
                        raw, "--batch", ",".join(map(str, BATCHES)),
                        "--runs", str(a.tfjs_runs), "--warmup", "1"], env))
    a.tfjs_version = r["tfjs"]
    return {int(b): v for b, v in r["ms_per_face"].items()}


def onnx_model(a):
    if os.path.exists(a.onnx):
        return a.onnx
    r = subprocess.run([sys.executable, os.path.join(
        ROOT, "tests", "import", "make_onnx_fixtures.py"), a.work,
        "efficientnet_b0"], stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        print("no EfficientNet-B0 fixture: make_onnx_fixtures.py exited "
              "with %d (77: PyTorch or torchvision missing)" % r.returncode)
        return None
    return os.path.join(a.work, "efficientnet_b0.onnx")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--refs")
    ap.add_argument("--onnx")
    ap.add_argument("--video", default=os.path.join(ROOT, "..", "shared",
                                                    "data", "Megamind.avi"))
    ap.add_argument("--faces", type=int, default=16)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--tfjs-runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/tmp/ddamfn-card-speed")
    a = ap.parse_args()
    a.refs = a.refs or os.path.join(a.build, "tests", "import", "references")
    a.onnx = a.onnx or os.path.join(a.build, "tests", "gst", "card-e2e-"
                                    "efficientnet", "efficientnet_b0.onnx")
    os.makedirs(a.work, exist_ok=True)

    how = find_ort(a.refs)
    peer_name = {"ort": how[2]}
    models = [("FER2013 mini-Xception", os.path.join(
        a.refs, "emotion", "emotion.json"), "fer", "tfjs")]
    enet = onnx_model(a)
    if enet:
        models.append(("EfficientNet-B0", enet, "enet", "ort"))
    figs, shapes = {}, {}
    for name, model, tag, peer in models:
        shapes[tag], card = crops(a, model, os.path.join(a.work, tag))
        print("%s: %s; crops %s from %s" % (name, card, "x".join(
            map(str, shapes[tag])), os.path.basename(a.video)), flush=True)
        figs[name] = {k: [] for k in ("el", "net", "peer")}
    backend = ""
    for _ in range(a.rounds):
        for name, model, tag, peer in models:
            f = figs[name]
            raw = os.path.join(a.work, tag + ".in.f32")
            f["el"].append(element(a, model))
            net, backend = network(a, model)
            f["net"].append(net)
            if peer == "tfjs":
                f["peer"].append(tfjs(a, model, raw))
            elif how[0]:
                f["peer"].append(ort(a, how, model, raw, shapes[tag]))
    peer_name["tfjs"] = "TensorFlow.js %s CPU backend (pure JS, Node %s)" % (
        getattr(a, "tfjs_version", "?"), run(["node", "--version"]).strip())

    cpu = run(["lscpu"])
    print(([l for l in cpu.splitlines() if l.startswith("Model name")]
           or ["Model name: ?"])[0])
    print("kernels (bench-engine): %s; DDAMFN_CPU=%s" % (
        backend, os.environ.get("DDAMFN_CPU", "(unset: best)")))
    print("%d rounds; network and ONNX Runtime %d runs, TensorFlow.js %d; "
          "element %.1f s per case" % (a.rounds, a.runs, a.tfjs_runs,
                                       a.seconds))
    print("%-22s %-17s %9s %9s %9s %9s %9s  %s" % (
        "model", "config", "element", "crop", "network", "peer", "ours/peer",
        "peer is"))
    med = statistics.median
    for name, model, tag, peer in models:
        f = figs[name]
        for b, faces in ((1, 1), (8, 16)):
            el = med(r[faces][0] for r in f["el"])
            crop = med(r[faces][1] for r in f["el"])
            net = med(r[b] for r in f["net"])
            p = med(r[b] for r in f["peer"]) if f["peer"] else None
            print("%-22s %-17s %9.3f %9.3f %9.3f %9s %9s  %s" % (
                name, "1 thread, batch %d" % b, el, crop, net,
                "%.3f" % p if p else "-", "%.3g" % (net / p) if p else "-",
                peer_name[peer]))
    print("ms per face. element: ddamfnfilter per 1080p RGB buffer / faces, "
          "1 face (batch 1 rows) or 16 faces, one batch of 16 (batch 8 "
          "rows); crop: the card's preprocessing alone; network: "
          "bench-engine; peer on the first 1 / 8 real crops; ours/peer = "
          "network / peer")


if __name__ == "__main__":
    main()
