#!/usr/bin/python3
"""Where the float32 error grows: the engine's tensors after chosen steps,
and PyTorch's float32 ones after the same layers, against PyTorch in float64
on the same weights and faces, layer by layer, for every kernel variant the
CPU runs.

usage: error_profile.py --step-dump PATH --convert PATH --workdir DIR
           [--case abaw] [--check]

The points are the outputs of features.1, of every MixDW block (its
project step: the residual stream), of features.8 (the backbone's output),
of the attention-weighted global conv (Linear) and of the multitask dense
layer. The engine leaves the project convolutions' biases to the readers of
the residual stream (the plan's fusion), so its stream tensors differ from
PyTorch's by a per-channel constant: at those points both float32 errors
are taken after removing each channel's mean difference. --check fails when
the engine's error at any point exceeds 3 × PyTorch float32's there plus
1e-6 of the point's largest value.
"""
import argparse
import copy
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "reference"))
sys.path.insert(0, os.path.join(TESTS, "lib"))

import weights  # noqa: E402
from checkpoints import build_live_model, write_live_checkpoint  # noqa: E402
import parity  # noqa: E402

VARIANTS = ("generic", "avx2", "avx512")


def points(model):
    """(torch module, engine step, how to compare) in network order."""
    out = [("features.1", "features.1", "exact")]
    for name, module in model.named_modules():
        if type(module).__name__ == "MixDW":
            out.append((name, name + ".project", "stream"))
    out += [("features.8", "features.8", "exact"),
            ("Linear", "Linear", "exact")]
    if not model.single:
        out.append(("custom_classifier.dense", "custom_classifier.dense",
                    "relu"))
    return out


def torch_tensors(model, x, names):
    """The outputs of the modules NAMES on X, as numpy (n, c, h·w)."""
    import torch
    modules = dict(model.named_modules())
    got, hooks = {}, []
    for name in names:
        def hook(mod, inp, res, name=name):
            got[name] = res.detach().cpu().numpy()
        hooks.append(modules[name].register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return {k: v.reshape(v.shape[0], v.shape[1], -1) for k, v in got.items()}


def engine_tensors(step_dump, st_path, raw, n, pts, workdir, variant):
    import numpy as np
    outdir = os.path.join(workdir, "steps-" + variant)
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ, DDAMFN_CPU=variant)
    p = subprocess.run([step_dump, st_path, raw, str(n), outdir] +
                       [s for _, s, _ in pts], capture_output=True, text=True,
                       env=env, timeout=600)
    if p.returncode != 0:
        raise SystemExit("step-dump failed: %s" % p.stderr.strip())
    lines = p.stdout.splitlines()
    if lines[0] != "kernels " + variant:
        return None                 # this CPU cannot run VARIANT
    shapes = {}
    for line in lines[1:]:
        name, _, _, c, h, w = line.split()
        shapes[name] = (int(c), int(h) * int(w))
    got = {}
    for _, step, _ in pts:
        c, hw = shapes[step]
        a = np.fromfile(os.path.join(outdir, step + ".f32"), dtype="<f4")
        got[step] = a.reshape(c, n, hw).transpose(1, 0, 2).astype(np.float64)
    return got


def error(a, ref, how):
    import numpy as np
    d = a.astype(np.float64) - ref
    if how == "stream":
        d = d - d.mean(axis=(0, 2), keepdims=True)
    return float(np.abs(d).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--step-dump", required=True)
    ap.add_argument("--convert", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", default="abaw",
                    choices=[c.name for c in parity.CASES])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print("SKIP: %s (Debian's python3-torch, under /usr/bin/python3)" % e)
        return 77
    os.makedirs(args.workdir, exist_ok=True)
    case = next(c for c in parity.CASES if c.name == args.case)
    state = weights.make_state(case.heads, case.n_expr, case.seed)
    model = build_live_model(case, state)
    pth = os.path.join(args.workdir, "profile.pth")
    st_path = os.path.join(args.workdir, "profile.safetensors")
    write_live_checkpoint(model, pth)
    parity.run(parity.script_cmd(args.convert) +
               [pth, st_path, "--labels", case.preset], "convert")
    inputs = parity.Inputs(args.workdir)
    n = parity.N_FACES
    x = torch.from_numpy(np.frombuffer(inputs.data, dtype="<f4").astype(
        np.float32).reshape(n, 3, 112, 112))

    pts = points(model)
    names = [m for m, _, _ in pts]
    t32 = torch_tensors(model, x, names)
    t64 = torch_tensors(copy.deepcopy(model).double(), x.double(), names)
    for m, _, how in pts:
        if how == "relu":
            t32[m] = np.maximum(t32[m], 0)
            t64[m] = np.maximum(t64[m], 0)
    ours = {}
    for v in VARIANTS:
        got = engine_tensors(args.step_dump, st_path, inputs.raw5, n, pts,
                             args.workdir, v)
        if got is not None:
            ours[v] = got
    variants = list(ours)

    print("case %s, %d faces; max |error| against PyTorch float64" %
          (case.name, n))
    print("%-26s %-14s %9s %10s" % ("layer", "shape", "max|ref|",
                                    "torch f32") +
          "".join(" %10s" % v for v in variants) + "  ratio")
    failures = []
    for m, step, how in pts:
        ref = t64[m]
        scale = float(np.abs(ref).max())
        e32 = error(t32[m], ref, how)
        errs = [error(ours[v][step], ref, how) for v in variants]
        ratio = max(errs) / e32 if e32 > 0 else float("inf")
        shape = "%dx%d" % (ref.shape[1], ref.shape[2])
        print("%-26s %-14s %9.3g %10.3g" % (m, shape, scale, e32) +
              "".join(" %10.3g" % e for e in errs) + "  %5.2f" % ratio)
        for v, e in zip(variants, errs):
            if e > 3 * e32 + 1e-6 * scale:
                failures.append("%s %s: %.3g > 3 x %.3g + 1e-6 x %.3g"
                                % (m, v, e, e32, scale))
    if args.check and failures:
        print("FAIL: the engine's error grows faster than PyTorch float32's:")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
