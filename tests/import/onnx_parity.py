#!/usr/bin/env python3
"""ONNX graphs through the engine against PyTorch in float64 and ONNX
Runtime: make_onnx_fixtures.py exports EfficientNet-B0 (HSEmotion's
10-output head), MobileNetV3-Small, ResNet-18 and a VGG13-style FER+
network with random weights; graph-run runs each under every kernel
variant this CPU has. For every output value:

  max |ours - float64| <= 1e-4, and
  RMS (ours - float64) <= 2 x RMS (PyTorch float32 - float64),

and, where ONNX Runtime is installed (python3-onnxruntime, or
onnxruntime-node in REFERENCE_DIR), max |ours - ONNX Runtime| <= 1e-4.

The ddamfn fixture is DDAMFN's own ONNX export (the parity test's PyTorch
reference and weights): its generic plan must also agree with the native
DDAMFN plan on the same weights (ddamfn.safetensors through ddamfn-infer,
$DDAMFN_INFER) to 1e-4 on valence, arousal, every expression and AU
probability.

usage: onnx_parity.py GRAPH_RUN REFERENCE_DIR WORKDIR [FIXTURE ...]
Exits 77 without PyTorch and torchvision.
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-4
VARIANTS = ("generic", "avx2", "avx512")
FIXTURES = ("efficientnet_b0", "mobilenet_v3", "resnet18", "ferplus_vgg13",
            "ddamfn", "ops11", "ops13", "ops17")


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def rms(a):
    return float(np.sqrt(np.mean(np.square(a))))


def graph_run(tool, model, raw, variant):
    """Our outputs, or None when this CPU lacks the variant."""
    env = dict(os.environ, DDAMFN_CPU=variant)
    r = subprocess.run([tool, model, "--raw", raw], capture_output=True,
                       text=True, env=env, timeout=900)
    if r.returncode != 0:
        die("graph-run %s (%s) exited with %d: %s" % (model, variant,
                                                       r.returncode,
                                                       r.stderr[-2000:]))
    if ("kernels: %s" % variant) not in r.stderr:
        return None
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    # every output, in the graph's order
    return np.array([sum(row["outputs"].values(), []) for row in rows])


def native_outputs(work, raw, variant):
    """The native DDAMFN plan's rows in the export's output order (va,
    probs, au), or None when this CPU lacks the variant."""
    infer = os.environ.get("DDAMFN_INFER")
    if not infer:
        die("DDAMFN_INFER (the path of ddamfn-infer) is not set")
    r = subprocess.run([infer, "--model", os.path.join(
        work, "ddamfn.safetensors"), "--raw", raw, "--full-precision"],
        capture_output=True, text=True, timeout=900,
        env=dict(os.environ, DDAMFN_CPU=variant))
    if r.returncode != 0:
        die("ddamfn-infer exited with %d: %s" % (r.returncode,
                                                 r.stderr[-2000:]))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    return np.array([[row["valence"], row["arousal"]]
                     + row["expression_probs"] + row["au_probs"]
                     for row in rows])


def check_ddamfn_plan(model):
    """The export's x * relu6 (x + 3) / 6 of each coordinate attention (34
    in the backbone, one per head) becomes one hard-swish epilogue."""
    r = subprocess.run([os.environ["DDAMFN_INFER"], "--print-plan", model],
                       capture_output=True, text=True, timeout=300)
    fused = r.stdout.count("hard-swish fused")
    print("ddamfn plan: %d steps, %d hard-swish fusions" % (
        sum(1 for line in r.stdout.splitlines() if line[:4].strip()
            .isdigit()), fused))
    if r.returncode != 0 or fused != 36:
        die("the DDAMFN export's plan has %d hard-swish fusions, expected 36"
            % fused)


def ort_outputs(model, raw, shape, refs):
    """ONNX Runtime's outputs and its name, or (None, why)."""
    x = np.fromfile(raw, dtype="<f4").reshape((-1,) + shape)
    try:
        import onnxruntime
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        s = onnxruntime.InferenceSession(
            model, opts, providers=["CPUExecutionProvider"])
        y = np.concatenate([o.reshape(len(x), -1) for o in s.run(
            None, {s.get_inputs()[0].name: x})], axis=1)
        return y, "onnxruntime %s (Python)" % onnxruntime.__version__
    except ImportError:
        pass
    mods = os.path.join(refs, "node", "node_modules")
    if not os.path.isdir(os.path.join(mods, "onnxruntime-node")):
        return None, "no ONNX Runtime (python3-onnxruntime or " \
            "onnxruntime-node in %s)" % refs
    out = raw + ".ort.json"
    r = subprocess.run(["node", os.path.join(HERE, "ort_reference.js"),
                        model, raw, ",".join(map(str, shape)), out],
                       capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, NODE_PATH=mods))
    if r.returncode != 0:
        die("ort_reference.js failed: %s" % r.stderr[-2000:])
    with open(out) as f:
        doc = json.load(f)
    return np.concatenate([np.array(o).reshape(len(x), -1)
                           for o in doc["outputs"]], axis=1), \
        "onnxruntime-node %s" % doc["version"]


def main():
    tool, refs, work = sys.argv[1:4]
    names = sys.argv[4:] or FIXTURES
    os.makedirs(work, exist_ok=True)
    for name in names:
        # every operator, at three operator sets (make_onnx_ops.py)
        if name.startswith("ops") and not os.path.exists(
                os.path.join(work, name + ".json")):
            base = os.path.join(work, name)
            r = subprocess.run([sys.executable, os.path.join(
                HERE, "make_onnx_ops.py"), base + ".onnx", name[3:],
                base + ".in.f32", base + ".f64.npy", base + ".f32.npy"])
            if r.returncode == 77:
                print("SKIP: PyTorch is missing")
                sys.exit(77)
            if r.returncode != 0:
                die("make_onnx_ops.py failed")
            os.replace(base + ".onnx.json", base + ".json")
    missing = [n for n in names
               if not os.path.exists(os.path.join(work, n + ".json"))]
    if missing:
        r = subprocess.run([sys.executable, os.path.join(
            HERE, "make_onnx_fixtures.py"), work] + missing)
        if r.returncode == 77:
            print("SKIP: PyTorch or torchvision is missing")
            sys.exit(77)
        if r.returncode != 0:
            die("make_onnx_fixtures.py failed")

    failed = False
    ran = 0
    print("%-16s %-8s %12s %12s %12s %7s %12s" % (
        "fixture", "kernels", "max|d| f64", "RMS f64", "torch32 RMS",
        "ratio", "max|d| ORT"))
    for name in names:
        model = os.path.join(work, name + ".onnx")
        raw = os.path.join(work, name + ".in.f32")
        y64 = np.load(os.path.join(work, name + ".f64.npy"))
        y32 = np.load(os.path.join(work, name + ".f32.npy"))
        with open(os.path.join(work, name + ".json")) as f:
            shape = tuple(json.load(f)["shape"])
        ort, ort_name = ort_outputs(model, raw, shape, refs)
        torch_rms = rms(y32 - y64)
        for variant in VARIANTS:
            ours = graph_run(tool, model, raw, variant)
            if ours is None:
                print("%-16s %-8s (not on this CPU)" % (name, variant))
                continue
            ran += 1
            if ours.shape != y64.shape:
                die("%s: %s outputs, PyTorch %s" % (name, ours.shape,
                                                     y64.shape))
            d64 = float(np.abs(ours - y64).max())
            r64 = rms(ours - y64)
            ratio = r64 / torch_rms if torch_rms > 0 else float("inf")
            dort = float(np.abs(ours - ort).max()) if ort is not None \
                else float("nan")
            print("%-16s %-8s %12.3g %12.3g %12.3g %7.2f %12.3g" % (
                name, variant, d64, r64, torch_rms, ratio, dort))
            if not d64 <= TOL or not r64 <= 2 * torch_rms:
                failed = True
            if name == "ddamfn" and variant == VARIANTS[0]:
                check_ddamfn_plan(model)
            if name == "ddamfn":
                native = native_outputs(work, raw, variant)
                dn = float(np.abs(ours - native).max())
                print("%-16s %-8s max |graph plan - native plan| %.3g" % (
                    "", "", dn))
                if native.shape != ours.shape or not dn <= TOL:
                    failed = True
            if ort is not None and not dort <= TOL:
                failed = True
        print("  reference: PyTorch %s float64; %s" % (
            __import__("torch").__version__, ort_name))
    if ran == 0:
        die("no kernel variant ran")
    if failed:
        die("an output is off (bars: max |d| <= %g, RMS <= 2 x PyTorch "
            "float32's)" % TOL)
    print("PASS: %d fixture runs" % ran)


if __name__ == "__main__":
    main()
