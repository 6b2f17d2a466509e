#!/usr/bin/python3
"""Compare the speed of libddamfn with PyTorch and ONNX Runtime on the same
DDAMFN weights and the same inputs, and with an OpenBLAS sgemm floor.

usage: /usr/bin/python3 bench/compare.py [--engine build/bench/bench-engine]
           [--sgemm PATH] [--infer PATH] [--runs 30] [--warmup 5]
           [--rounds 3] [--quick] [--seed 1] [--keep DIR] [--node node]
           [--ort-dir bench]

One run:
  1. weights: tests/parity/reference/weights.py make_state({'va','expression','au'},
     K=8, seed) loaded into the PyTorch reference (tests/parity/reference); saved
     with torch.save and converted with models/ddamfn-convert --labels abaw
     for libddamfn; exported with torch.onnx.export (opset 13, dynamic batch)
     for ONNX Runtime. All three run these same weights.
  2. inputs: the pseudo-random faces bench-engine feeds itself (same
     generator, reproduced here) are fed to PyTorch and ONNX Runtime too.
  3. timings, one after the other (never two at once): bench-engine,
     PyTorch (torch.set_num_threads(t), no_grad, eval), ONNX Runtime
     (bench/ort-bench.mjs on onnxruntime-node: intra-op threads t, inter-op
     1, graph optimisation 'all'), bench-sgemm (floor). Each: warm-up runs,
     then timed runs, median. The sequence is repeated --rounds times (3),
     so a slow spell of the (virtual) machine hits every peer alike; the
     median of the rounds' medians is reported, and ours/floor per round.
  4. a table per configuration (threads, batch) of ms per face and ratios.
A peer that cannot be set up or fails is reported as unavailable, with why.
Needs torch (Debian python3-torch) and numpy for the PyTorch and ORT peers;
onnxruntime-node from npm (see bench/README.md) and node for ORT.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "parity", "reference"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "models"))

CONFIGS = [(1, 1), (1, 8), (2, 8)]          # (threads, batch)
FACE = 3 * 112 * 112
HEADS = {"va", "expression", "au"}
K = 8
AVX512 = ("avx512f", "avx512vl", "avx512bw", "avx512dq")


class Unavailable(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_cmd(cmd, what, timeout=3600):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=timeout)
    except OSError as e:
        raise Unavailable("%s: cannot run %s: %s" % (what, cmd[0], e))
    except subprocess.TimeoutExpired:
        raise Unavailable("%s: timed out after %d s" % (what, timeout))
    if p.returncode != 0:
        err = (p.stderr.strip() or p.stdout.strip()).splitlines()
        raise Unavailable("%s: exit %d: %s" % (what, p.returncode,
                                               err[-1] if err else ""))
    return p.stdout


def cpuinfo():
    """The text of /proc/cpuinfo; empty when it cannot be read."""
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:
        return ""


def by_threads(configs):
    """{threads: [batches]} in first-seen order."""
    out = {}
    for t, b in configs:
        out.setdefault(t, []).append(b)
    return out


def parse_rows(text, ncols):
    """Rows of a whitespace table whose first two fields are integers."""
    rows = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= ncols and f[0].isdigit() and f[1].isdigit():
            rows[(int(f[0]), int(f[1]))] = [float(v) for v in f[2:ncols]]
    return rows


# ------------------------------------------------------------------- inputs

def engine_inputs(n):
    """The faces bench-engine feeds itself: an LCG from 12345, value =
    (state >> 8) / 2^24 * 4 - 2, n * 3 * 112 * 112 float32."""
    out = array("f", bytes(4 * n * FACE))
    s = 12345
    for i in range(n * FACE):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = (s >> 8) / 16777216.0 * 4.0 - 2.0
    return out


# ------------------------------------------------------------------ weights

def prepare_models(work, seed, notes):
    """Returns (safetensors path or Unavailable, torch model or Unavailable,
    onnx path or Unavailable)."""
    import weights
    state = weights.make_state(HEADS, K, seed)
    pth = os.path.join(work, "ddamfn-bench.pth")
    st = os.path.join(work, "ddamfn-bench.safetensors")
    onnx_path = os.path.join(work, "ddamfn-bench.onnx")
    model = onnx = None
    try:
        import numpy as np
        import torch
        import ddamfn_torch
        torch.set_num_interop_threads(1)
        model = ddamfn_torch.build_model(HEADS, K)
        sd = {}
        for name, (shape, vals) in state.items():
            dt = np.int64 if vals.typecode == "q" else np.float32
            sd[name] = torch.from_numpy(
                np.frombuffer(vals.tobytes(), dtype=dt).reshape(shape).copy())
        model.load_state_dict(sd, strict=True)
        model.eval()
        torch.save({"model_state_dict": model.state_dict()}, pth)
        notes.append("torch %s, numpy %s" % (torch.__version__,
                                              np.__version__))
    except Exception as e:          # noqa: BLE001 - reported, not hidden
        model = Unavailable("PyTorch reference: %s: %s"
                            % (type(e).__name__, e))
        onnx = Unavailable("needs the PyTorch reference to export the "
                           "ONNX model (%s)" % model)
        # Same weights for the engine without torch: the stdlib writer.
        import pthwriter
        sd = {name: pthwriter.Tensor(list(shape), vals)
              for name, (shape, vals) in state.items()}
        pthwriter.write_checkpoint(pth, {"model_state_dict": sd})

    try:
        run_cmd([sys.executable, os.path.join(ROOT, "models", "ddamfn-convert"),
                 pth, st, "--labels", "abaw"], "ddamfn-convert")
        st_res = st
    except Unavailable as e:
        st_res = e

    if onnx is None:
        try:
            import torch
            from torch import nn

            class Outputs(nn.Module):
                def __init__(self, m):
                    super().__init__()
                    self.m = m

                def forward(self, x):
                    o = self.m(x)
                    return o["va"], o["probs"], o["au"]

            x = torch.zeros(1, 3, 112, 112)
            with torch.no_grad():
                torch.onnx.export(
                    Outputs(model).eval(), (x,), onnx_path, opset_version=13,
                    input_names=["input"], output_names=["va", "probs", "au"],
                    dynamic_axes={n: {0: "batch"} for n in
                                  ("input", "va", "probs", "au")},
                    do_constant_folding=True)
            onnx = onnx_path
        except Exception as e:      # noqa: BLE001
            onnx = Unavailable("torch.onnx.export: %s: %s"
                               % (type(e).__name__, str(e).splitlines()[0]))
        finally:
            # export restores the wrapper's mode; keep the reference in eval
            model.eval()
    return st_res, model, onnx


# ------------------------------------------------------------------ timings

def time_engine(engine, st, runs, warmup, configs):
    if isinstance(st, Unavailable):
        raise st
    if not os.access(engine, os.X_OK):
        raise Unavailable("bench-engine not found at %s (build it, or pass "
                          "--engine)" % engine)
    res = {}
    for t, bs in by_threads(configs).items():
        out = run_cmd([engine, st, "--threads", str(t), "--batch",
                       ",".join(map(str, bs)), "--runs", str(runs),
                       "--warmup", str(warmup)], "bench-engine")
        for (tt, b), (ms_face, _ms_batch, _scr) in parse_rows(out, 5).items():
            res[(tt, b)] = ms_face
    return res


def time_torch(model, inputs, runs, warmup, configs):
    if isinstance(model, Unavailable):
        raise model
    import numpy as np
    import torch
    res = {}
    with torch.no_grad():
        for t, b in configs:
            torch.set_num_threads(t)
            x = torch.from_numpy(
                np.frombuffer(inputs.tobytes(), dtype=np.float32,
                              count=b * FACE).reshape(b, 3, 112, 112).copy())
            for _ in range(warmup):
                model(x)
            ts = []
            for _ in range(runs):
                t0 = time.perf_counter()
                model(x)
                ts.append(time.perf_counter() - t0)
            res[(t, b)] = statistics.median(ts) * 1e3 / b
    return res


def time_ort(args, onnx, raw, runs, warmup, configs, dump):
    if isinstance(onnx, Unavailable):
        raise onnx
    script = os.path.join(HERE, "ort-bench.mjs")
    if not os.path.isdir(os.path.join(args.ort_dir, "node_modules",
                                      "onnxruntime-node")):
        raise Unavailable(
            "onnxruntime-node is not installed under %s/node_modules (npm "
            "install --prefix %s --ignore-scripts --no-save onnxruntime-node)"
            % (args.ort_dir, args.ort_dir))
    res, version = {}, None
    for i, (t, b) in enumerate(configs):
        cmd = [args.node, script, "--model", onnx, "--input", raw,
               "--batch", str(b), "--threads", str(t), "--runs", str(runs),
               "--warmup", str(warmup), "--ort-dir", args.ort_dir]
        if dump and b == max(bb for _, bb in configs) and t == 1:
            cmd += ["--dump", dump]
            dump = None
        out = run_cmd(cmd, "ort-bench (threads %d batch %d)" % (t, b))
        try:
            r = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise Unavailable("ort-bench: unexpected output: %r" % out[:200])
        res[(t, b)] = r["ms_per_face"]
        version = r.get("ort_version")
    return res, version


def time_floor(sgemm, st, runs, warmup, configs):
    if not os.access(sgemm, os.X_OK):
        raise Unavailable("bench-sgemm not found at %s (build it, or pass "
                          "--sgemm)" % sgemm)
    if isinstance(st, Unavailable):
        raise Unavailable("needs the converted model (%s)" % st)
    res, rate, head = {}, {}, []
    for t, bs in by_threads(configs).items():
        # the system OpenBLAS at t threads per call: the engine's own BLAS
        # (meson option blas) is part of "ours"
        out = run_cmd([sgemm, st, "--blas", "openblas", "--threads", str(t),
                       "--batch", ",".join(map(str, bs)), "--runs", str(runs),
                       "--warmup", str(warmup)], "bench-sgemm")
        head = [ln for ln in out.splitlines()
                if ln.startswith(("engine:", "openblas:", "network"))]
        rows = "\n".join(ln.split(None, 1)[1] for ln in out.splitlines()
                         if ln.startswith("openblas "))
        for (tt, b), (gflops, _gemm_ms, floor_ms) in parse_rows(rows, 5).items():
            res[(tt, b)] = floor_ms
            rate[(tt, b)] = gflops
    return res, rate, head


# ------------------------------------------------------------- output check

def output_check(model, inputs, n, ort_dump, infer, st, notes):
    """Max |difference| of libddamfn's and ORT's outputs from PyTorch's on
    the first n benchmark faces: shows the three ran the same network."""
    if isinstance(model, Unavailable):
        return
    import numpy as np
    import torch
    x = torch.from_numpy(np.frombuffer(inputs.tobytes(), dtype=np.float32,
                                       count=n * FACE).reshape(n, 3, 112, 112)
                         .copy())
    with torch.no_grad():
        ref = {k: v.numpy() for k, v in model(x).items()}
    if ort_dump and os.path.exists(ort_dump):
        with open(ort_dump) as f:
            o = json.load(f)
        d = max(float(np.max(np.abs(np.asarray(o[k]["data"], np.float32)
                                     .reshape(ref[k].shape) - ref[k])))
                for k in ("va", "probs", "au"))
        notes.append("output check: ORT vs PyTorch max |diff| = %.2e "
                     "(%d faces)" % (d, n))
    if infer and os.access(infer, os.X_OK) and isinstance(st, str):
        ref64 = float64_outputs(model, x)
        d32 = max_diff(ref, ref64)
        notes.append("output check: PyTorch float32 vs float64 max |diff| = "
                     "%.2e (%d faces)" % (d32, n))
        raw = os.path.join(os.path.dirname(ort_dump or st), "check.f32")
        with open(raw, "wb") as f:
            f.write(inputs[:n * FACE].tobytes())
        for variant in (None, "generic", "avx2", "avx512"):
            try:
                ours = engine_outputs(infer, st, raw, n, variant)
            except (Unavailable, KeyError, ValueError) as e:
                notes.append("output check: libddamfn %s not checked: %s"
                             % (variant or "", e))
                continue
            d, d64 = max_diff(ours, ref), max_diff(ours, ref64)
            notes.append("output check: libddamfn%s vs PyTorch max |diff| = "
                         "%.2e, vs float64 %.2e (%.1f x PyTorch float32's) "
                         "(%d faces)" % (" " + variant if variant else "", d,
                                         d64, d64 / d32, n))


def float64_outputs(model, x):
    import copy
    import torch
    m64 = copy.deepcopy(model).double()
    with torch.no_grad():
        return {k: v.numpy() for k, v in m64(x.double()).items()}


def max_diff(a, b):
    import numpy as np
    return max(float(np.max(np.abs(np.asarray(a[k], np.float64) - b[k])))
               for k in a)


def engine_outputs(infer, st, raw, n, variant):
    """libddamfn's outputs on the faces in RAW, under kernel VARIANT (None:
    the default); Unavailable when this CPU cannot run it."""
    import numpy as np
    env = dict(os.environ)
    if variant:
        flags = cpuinfo()
        need = {"generic": [], "avx2": ["avx2", "fma"], "avx512": AVX512}
        if not all(f in flags for f in need[variant]):
            raise Unavailable("this CPU lacks %s" % variant)
        env["DDAMFN_CPU"] = variant
    p = subprocess.run([infer, "--model", st, "--raw", raw, "--batch",
                        str(n), "--full-precision"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True,
                       env=env, timeout=600)
    if p.returncode != 0:
        raise Unavailable("ddamfn-infer: %s" % p.stderr.strip())
    rows = [json.loads(ln) for ln in p.stdout.splitlines() if ln.strip()]
    return {"probs": np.array([r["expression_probs"] for r in rows]),
            "va": np.array([[r["valence"], r["arousal"]] for r in rows]),
            "au": np.array([r["au_probs"] for r in rows])}


# -------------------------------------------------------------------- table

def fmt(v, spec="%.2f"):
    return spec % v if isinstance(v, float) else "n/a"


def ratio(a, b):
    return a / b if isinstance(a, float) and isinstance(b, float) else None


def print_table(configs, cols):
    names = ["ours", "torch", "ORT", "floor"]
    hdr = ["config", "ours ms/face", "torch", "ORT", "floor",
           "ours/torch", "ours/ORT", "ours/floor"]
    rows = []
    for t, b in configs:
        v = [cols[n].get((t, b)) if isinstance(cols[n], dict) else None
             for n in names]
        rows.append(["%d thread%s, batch %d" % (t, "" if t == 1 else "s", b)]
                    + [fmt(x) for x in v]
                    + [fmt(ratio(v[0], v[i]), "%.2f") for i in (1, 2, 3)])
    w = [max(len(r[i]) for r in rows + [hdr]) for i in range(len(hdr))]
    line = lambda r: "  ".join(  # noqa: E731
        (c.ljust(w[i]) if i == 0 else c.rjust(w[i])) for i, c in enumerate(r))
    print(line(hdr))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print(line(r))
    for n in names:
        if isinstance(cols[n], Unavailable):
            print("%s: unavailable: %s" % (n, cols[n]))


# --------------------------------------------------------------------- main

def argument_parser():
    ap = argparse.ArgumentParser(
        description="libddamfn vs PyTorch vs ONNX Runtime vs sgemm floor")
    ap.add_argument("--engine", default=os.path.join(ROOT, "build", "bench",
                                                     "bench-engine"))
    ap.add_argument("--sgemm", help="bench-sgemm (default: beside --engine)")
    ap.add_argument("--infer", help="ddamfn-infer for the output check "
                    "(default: build/tools/ddamfn-infer if present)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3,
                    help="times the whole sequence of peers is repeated, "
                    "interleaved, so that a drift of the machine's speed "
                    "hits every peer alike; each figure is the median of "
                    "the per-round medians (default 3)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="5 timed runs after 1 warm-up (a smoke test)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", metavar="DIR",
                    help="write the model files and inputs to DIR and keep "
                    "them")
    ap.add_argument("--openblas-core", default="auto",
                    help="OPENBLAS_CORETYPE for every peer that uses OpenBLAS "
                    "(the sgemm floor, PyTorch; our engine too when built "
                    "with -Dblas=openblas): 'auto' = "
                    "SkylakeX on AVX-512 CPUs, else OpenBLAS's own choice; "
                    "'keep' = leave the environment as it is")
    ap.add_argument("--node", default="node")
    ap.add_argument("--ort-dir", default=HERE,
                    help="folder whose node_modules holds onnxruntime-node")
    return ap


def set_openblas_core(choice):
    """OPENBLAS_CORETYPE for this process and the peers it starts, as
    --openblas-core CHOICE says; logged."""
    if choice == "auto":
        flags = cpuinfo()
        if all(x in flags for x in AVX512):
            os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
        else:
            os.environ.pop("OPENBLAS_CORETYPE", None)
    elif choice != "keep":
        os.environ["OPENBLAS_CORETYPE"] = choice
    log("OPENBLAS_CORETYPE=%s" % os.environ.get("OPENBLAS_CORETYPE",
                                                 "(OpenBLAS's choice)"))


# What DDAMFN_CPU asks of libddamfn, asked of PyTorch too: its ATen
# kernels and oneDNN's convolutions (which otherwise pick AVX-512 on a CPU
# that has it). ONNX Runtime has no such switch.
TORCH_ISA = {"avx2": ("avx2", "AVX2"), "generic": ("default", "SSE41")}


def restrict_torch_isa():
    """With DDAMFN_CPU=avx2 or generic, the matching limits for PyTorch,
    set before it loads (an environment value already set is kept)."""
    isa = TORCH_ISA.get(os.environ.get("DDAMFN_CPU", ""))
    if isa is None:
        return None
    os.environ.setdefault("ATEN_CPU_CAPABILITY", isa[0])
    os.environ.setdefault("ONEDNN_MAX_CPU_ISA", isa[1])
    note = "PyTorch limited to ATEN_CPU_CAPABILITY=%s ONEDNN_MAX_CPU_ISA=%s" % (
        os.environ["ATEN_CPU_CAPABILITY"], os.environ["ONEDNN_MAX_CPU_ISA"])
    log(note)
    return note


def finish_options(ap, args):
    """--quick applied, counts checked (a usage error otherwise), paths
    made absolute and defaults found."""
    if args.quick:
        args.runs, args.warmup, args.rounds = 5, 1, 1
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be >= 1 and --warmup >= 0")
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    args.engine = os.path.abspath(args.engine)
    args.sgemm = os.path.abspath(args.sgemm or os.path.join(
        os.path.dirname(args.engine), "bench-sgemm"))
    if args.infer is None:
        cand = os.path.join(ROOT, "build", "tools", "ddamfn-infer")
        args.infer = cand if os.access(cand, os.X_OK) else None
    args.ort_dir = os.path.abspath(args.ort_dir)


class Timings:
    """What the rounds of timings found: per peer a {config: ms per face}
    per round (per_round) and the figure of the table or Unavailable (cols);
    the sgemm floor's rates and head lines, the ORT version."""

    def __init__(self, names):
        self.cols = {}
        self.per_round = {name: [] for name in names}
        self.rates, self.sgemm_head, self.ort_version = {}, [], None


def time_peers(args, st, model, onnx, inputs, raw, ort_dump):
    """Times every peer, one after the other, --rounds times; a peer that
    fails once is left out of the later rounds. Each peer's figure is the
    median of its per-round medians."""
    steps = [
        ("ours", lambda: time_engine(args.engine, st, args.runs, args.warmup,
                                     CONFIGS)),
        ("torch", lambda: time_torch(model, inputs, args.runs, args.warmup,
                                     CONFIGS)),
        ("ORT", lambda: time_ort(args, onnx, raw, args.runs, args.warmup,
                                 CONFIGS, ort_dump)),
        ("floor", lambda: time_floor(args.sgemm, st, args.runs,
                                     args.warmup, CONFIGS)),
    ]
    tm = Timings(name for name, _ in steps)
    for rnd in range(args.rounds):
        for name, fn in steps:
            if isinstance(tm.cols.get(name), Unavailable):
                continue
            log("round %d/%d: timing %s..." % (rnd + 1, args.rounds, name))
            try:
                r = fn()
                if name == "ORT":
                    r, tm.ort_version = r
                elif name == "floor":
                    r, tm.rates, tm.sgemm_head = r
                tm.per_round[name].append(r)
                tm.cols[name] = {}
            except Unavailable as e:
                tm.cols[name] = e
            except Exception as e:  # noqa: BLE001 - a failing peer is reported
                tm.cols[name] = Unavailable("%s: %s" % (type(e).__name__, e))
    for name, rounds in tm.per_round.items():
        if isinstance(tm.cols.get(name), dict):
            tm.cols[name] = {c: statistics.median(r[c] for r in rounds)
                             for c in rounds[0]}
    return tm


def round_notes(tm, rounds, notes):
    """ours/floor of every round, when there was more than one."""
    if rounds > 1 and tm.per_round["ours"] and tm.per_round["floor"]:
        for c in CONFIGS:
            notes.append("ours/floor per round, %d thread%s batch %d: %s" % (
                c[0], "" if c[0] == 1 else "s", c[1], ", ".join(
                    "%.2f" % (o[c] / f[c]) for o, f in
                    zip(tm.per_round["ours"], tm.per_round["floor"]))))


def cpu_model():
    for ln in cpuinfo().splitlines():
        if ln.startswith("model name"):
            return ln.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def report(args, tm, notes, load0, load1):
    print("DDAMFN multitask (VA + %d expressions + 12 AUs), random weights "
          "seed %d, same weights and inputs for every peer" % (K, args.seed))
    print("CPU: %s, %d logical CPUs; %d round%s of %d timed runs after %d "
          "warm-up, median of the rounds' medians"
          % (cpu_model(), os.cpu_count() or 0, args.rounds,
             "" if args.rounds == 1 else "s", args.runs, args.warmup))
    for ln in tm.sgemm_head:
        print(ln)
    for n in notes:
        print(n)
    print("load average (1 min) before %.2f, after %.2f" % (load0, load1))
    print()
    print_table(CONFIGS, tm.cols)
    if tm.rates:
        print("sgemm rate on the network's 1x1 shapes (GFLOP/s): " + ", ".join(
            "%d thr batch %d: %.1f" % (t, b, tm.rates[(t, b)])
            for t, b in CONFIGS if (t, b) in tm.rates))


def main():
    ap = argument_parser()
    args = ap.parse_args()
    # The same OpenBLAS kernels for every peer, set before torch loads.
    set_openblas_core(args.openblas_core)
    torch_isa = restrict_torch_isa()
    finish_options(ap, args)

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        work, tmp = os.path.abspath(args.keep), None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ddamfn-compare-")
        work = tmp.name

    notes = []
    if torch_isa:
        notes.append(torch_isa + "; ONNX Runtime has no such limit and "
                     "uses the widest kernels this CPU has")
    load0 = os.getloadavg()[0]
    nmax = max(b for _, b in CONFIGS)
    log("preparing weights (seed %d), checkpoint, conversion, ONNX export..."
        % args.seed)
    st, model, onnx = prepare_models(work, args.seed, notes)
    inputs = engine_inputs(nmax)
    raw = os.path.join(work, "inputs.f32")
    with open(raw, "wb") as f:
        f.write(inputs.tobytes())
    ort_dump = os.path.join(work, "ort-out.json")

    tm = time_peers(args, st, model, onnx, inputs, raw, ort_dump)
    round_notes(tm, args.rounds, notes)
    load1 = os.getloadavg()[0]

    output_check(model, inputs, nmax, ort_dump, args.infer, st, notes)
    if tm.ort_version:
        notes.append("onnxruntime-node %s" % tm.ort_version)

    report(args, tm, notes, load0, load1)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
