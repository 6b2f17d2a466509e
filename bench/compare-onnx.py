#!/usr/bin/python3
"""Speed of ONNX graphs through libddamfn against ONNX Runtime, on the same
files and inputs: torchvision's EfficientNet-B0 (HSEmotion's 10-output
head), ResNet-18 and MobileNetV3-Small at 224 x 224 with random weights,
exported by PyTorch (tests/import/make_onnx_fixtures.py).

usage: /usr/bin/python3 bench/compare-onnx.py [--engine build/bench/bench-engine]
           [--work DIR] [--runs 20] [--warmup 3] [--rounds 3]
           [--models efficientnet_b0,resnet18,mobilenet_v3]

For each model and configuration (1 thread batch 1, 1 thread batch 8,
2 threads batch 8): bench-engine (ddamfn_session_run, the kernels
DDAMFN_CPU names) and ONNX Runtime (python3-onnxruntime, CPU provider,
intra-op threads = threads, inter-op 1, all graph optimisations), one
after the other, RUNS timed runs after WARMUP, median; the whole sequence
--rounds times, the median of the rounds reported with ours/ORT.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
CONFIGS = [(1, 1), (1, 8), (2, 8)]


def ours(engine, model, runs, warmup):
    """{(threads, batch): ms per face} from one bench-engine run."""
    r = subprocess.run([engine, model, "--batch", "1,8", "--threads", "1,2",
                        "--runs", str(runs), "--warmup", str(warmup)],
                       capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) == 5 and f[0].isdigit():
            out[(int(f[0]), int(f[1]))] = float(f[2])
    return out


def ort(model, shape, runs, warmup):
    import onnxruntime as rt
    out = {}
    for threads, batch in CONFIGS:
        opts = rt.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = rt.GraphOptimizationLevel.ORT_ENABLE_ALL
        s = rt.InferenceSession(model, opts,
                                providers=["CPUExecutionProvider"])
        x = np.random.default_rng(1).uniform(-2, 2, (batch,) + shape) \
            .astype(np.float32)
        name = s.get_inputs()[0].name
        times = []
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            s.run(None, {name: x})
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000 / batch)
        out[(threads, batch)] = statistics.median(times)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default=os.path.join(ROOT, "build", "bench",
                                                     "bench-engine"))
    ap.add_argument("--work", default="/tmp/ddamfn-compare-onnx")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="efficientnet_b0,resnet18,mobilenet_v3")
    a = ap.parse_args()
    names = a.models.split(",")
    try:
        import onnxruntime
    except ImportError:
        sys.exit("compare-onnx: ONNX Runtime is not installed "
                 "(Debian 13: python3-onnxruntime)")
    missing = [n for n in names
               if not os.path.exists(os.path.join(a.work, n + ".onnx"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(
            ROOT, "tests", "import", "make_onnx_fixtures.py"), a.work]
            + missing, check=True, stdout=subprocess.DEVNULL)
    print("kernels: DDAMFN_CPU=%s; onnxruntime %s; %d rounds of %d runs"
          % (os.environ.get("DDAMFN_CPU", "(best)"), onnxruntime.__version__,
             a.rounds, a.runs))
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    print([l for l in cpu.splitlines() if l.startswith("Model name")][0])
    print("%-16s %-20s %10s %10s %8s" % ("model", "config", "ours ms",
                                         "ORT ms", "ours/ORT"))
    for name in names:
        model = os.path.join(a.work, name + ".onnx")
        rows = {c: ([], []) for c in CONFIGS}
        for _ in range(a.rounds):
            o = ours(a.engine, model, a.runs, a.warmup)
            r = ort(model, (3, 224, 224), a.runs, a.warmup)
            for c in CONFIGS:
                rows[c][0].append(o[c])
                rows[c][1].append(r[c])
        for (threads, batch), (mo, mr) in rows.items():
            mo, mr = statistics.median(mo), statistics.median(mr)
            print("%-16s %-20s %10.2f %10.2f %8.2f" % (
                name, "%d thread%s, batch %d" % (threads, "s" * (threads > 1),
                                                 batch), mo, mr, mo / mr))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
