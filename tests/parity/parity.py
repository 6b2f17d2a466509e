#!/usr/bin/env python3
"""Parity test: the C engine against the PyTorch reference of DDAMFN.

For each case (single-task K=7, single-task K=8, multitask VA+8+12) the test
builds deterministic, non-trivial weights in the released checkpoint layout
(tests/parity/reference/weights.py), writes them as a PyTorch checkpoint, converts it
with models/ddamfn-convert, runs tools/ddamfn-infer --raw on a 5-face and a
1-face input and compares every output:

  live   (torch importable): the checkpoint is written by torch.save() from a
         reference model loaded with load_state_dict(strict=True), and the
         engine is compared with that model's float32 eval-mode outputs
         (max abs error <= 1e-4). The reference is also compared with the
         committed goldens (<= 1e-5) so generator or reference drift shows.
  golden (no torch): the checkpoint is written by tests/lib/pthwriter.py and the
         engine is compared with tests/golden/parity-<case>.json; the sha256
         of the generated weights and inputs must match the goldens.
  auto   live when torch can be imported, else golden.

Exit status 0 only when every case passes.
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
TOP = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(HERE, "reference"))
sys.path.insert(0, os.path.join(TESTS, "lib"))
sys.path.insert(0, os.path.join(TOP, "models"))

import weights  # noqa: E402
from checkpoints import (build_live_model, write_live_checkpoint,  # noqa: E402
                         write_stdlib_checkpoint)
from sensitivity import sensitivity  # noqa: E402

GOLDEN_DIR = os.path.join(TESTS, "golden")
INPUT_SEED = 20240607
N_FACES = 5
ENGINE_TOL = 1e-4        # engine vs reference (torch or golden)
F64_RATIO = 3.0          # engine vs float64 reference, at most this many
                         # times torch float32's own error against it
GOLDEN_TOL = 1e-5        # torch now vs torch when the goldens were written
MULTITASK = ("va", "expression", "au")

LABELS = {
    "affectnet7": ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust",
                   "Angry"],
    "affectnet8": ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust",
                   "Angry", "Contempt"],
    "abaw": ["Neutral", "Anger", "Disgust", "Fear", "Happiness", "Sadness",
             "Surprise", "Other"],
}
AU_NAMES = ["AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15",
            "AU23", "AU24", "AU25", "AU26"]


class Case:
    def __init__(self, name, heads, n_expr, preset, seed):
        self.name, self.heads, self.n_expr = name, heads, n_expr
        self.preset, self.seed = preset, seed

    @property
    def multitask(self):
        return self.heads != "single"

    def heads_json(self):
        return "single" if not self.multitask else sorted(self.heads)

    def golden_path(self):
        return os.path.join(GOLDEN_DIR, "parity-%s.json" % self.name)


CASES = [
    # Seeds picked (among 12 each) for varied argmax across the 5 faces and
    # unsaturated outputs; see the reference statistics printed by the test.
    Case("affectnet7", "single", 7, "affectnet7", 7009),
    Case("affectnet8", "single", 8, "affectnet8", 8008),
    Case("abaw", set(MULTITASK), 8, "abaw", 9003),
]


class Failure(Exception):
    pass


# ---------------------------------------------------------------- helpers

def f9(x):
    return float("%.9g" % x)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def run(cmd, what, timeout=600, env=None):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except FileNotFoundError as e:
        raise Failure("%s: cannot run %s: %s" % (what, cmd[0], e))
    except subprocess.TimeoutExpired:
        raise Failure("%s: timed out after %d s: %s" % (what, timeout,
                                                         " ".join(cmd)))
    if p.returncode != 0:
        raise Failure("%s failed (exit %d): %s\n%s" % (
            what, p.returncode, " ".join(cmd),
            p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout.decode("utf-8", "replace")


def cpu_runs(variant):
    """Whether this CPU can run kernel VARIANT (the flags dispatch.c
    asks for)."""
    need = {"generic": set(), "avx2": {"avx2", "fma"}}[variant]
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("flags"):
                    return need <= set(ln.split(":", 1)[1].split())
    except OSError:
        pass
    return not need


def script_cmd(path):
    """Run Python scripts with this interpreter (the converter is stdlib
    only); anything else directly."""
    try:
        with open(path, "rb") as f:
            first = f.readline()
    except OSError as e:
        raise Failure("cannot read %s: %s" % (path, e))
    if path.endswith(".py") or (first.startswith(b"#!") and b"python" in first):
        return [sys.executable, path]
    return [path]


def ref_rows(out, case):
    """Reference outputs (dict of per-face lists) -> list of per-face dicts
    with the engine's JSON keys."""
    rows = []
    for i in range(N_FACES):
        r = {}
        if "probs" in out:
            r["expression_probs"] = [float(v) for v in out["probs"][i]]
        if "va" in out:
            r["valence"] = float(out["va"][i][0])
            r["arousal"] = float(out["va"][i][1])
        if "au" in out:
            r["au_probs"] = [float(v) for v in out["au"][i]]
        rows.append(r)
    return rows


def expected_keys(case):
    if not case.multitask:
        return ["expression_probs"]
    keys = []
    if "expression" in case.heads:
        keys.append("expression_probs")
    if "va" in case.heads:
        keys += ["valence", "arousal"]
    if "au" in case.heads:
        keys.append("au_probs")
    return keys


def flat(row, key):
    v = row[key]
    return v if isinstance(v, list) else [v]


def compare_rows(got, ref, case, tol, discrete=True):
    """Returns (worst abs error, key of the worst, list of problems)."""
    worst, worst_key, problems = 0.0, "-", []
    for i, (g, r) in enumerate(zip(got, ref)):
        for key in expected_keys(case):
            if key not in g:
                problems.append("face %d: key %r missing" % (i, key))
                continue
            gv, rv = flat(g, key), flat(r, key)
            if len(gv) != len(rv):
                problems.append("face %d: %s has %d values, expected %d"
                                % (i, key, len(gv), len(rv)))
                continue
            for a, b in zip(gv, rv):
                if not isinstance(a, (int, float)) or isinstance(a, bool):
                    problems.append("face %d: %s holds %r" % (i, key, a))
                    break
                d = abs(a - b)
                if not d <= tol and not d > tol:     # NaN
                    d = math.inf
                if d > worst:
                    worst, worst_key = d, key
        if discrete:
            problems += check_discrete(i, g, r, case)
    if worst > tol:
        problems.append("max abs error %.3g in %s exceeds %.0e"
                        % (worst, worst_key, tol))
    return worst, worst_key, problems


def check_discrete(i, g, r, case):
    """expression_index / label and au_active, where the reference is not
    within rounding of a decision boundary."""
    problems = []
    if "expression_probs" in r:
        p = r["expression_probs"]
        order = sorted(range(len(p)), key=lambda k: -p[k])
        want = order[0]
        near_tie = p[order[0]] - p[order[1]] < 1e-5
        idx = g.get("expression_index")
        if not isinstance(idx, int):
            problems.append("face %d: expression_index is %r" % (i, idx))
        elif idx != want and not (near_tie and idx == order[1]):
            problems.append("face %d: expression_index %d, expected %d"
                            % (i, idx, want))
        elif g.get("expression") != LABELS[case.preset][idx]:
            problems.append("face %d: expression %r, expected %r"
                            % (i, g.get("expression"),
                               LABELS[case.preset][idx]))
    if "au_probs" in r:
        act = g.get("au_active")
        if not isinstance(act, list):
            problems.append("face %d: au_active is %r" % (i, act))
        else:
            for name, p in zip(AU_NAMES, r["au_probs"]):
                if abs(p - 0.5) < 1e-4:
                    continue
                if (p > 0.5) != (name in act):
                    problems.append("face %d: au_active %r disagrees with "
                                    "%s = %.4f" % (i, act, name, p))
                    break
    return problems


def nondegenerate(rows, case):
    """The reference outputs must not be saturated, or the comparison would
    prove little."""
    problems = []
    if "expression_probs" in rows[0]:
        tops = [max(r["expression_probs"]) for r in rows]
        if max(tops) >= 0.999:
            problems.append("softmax saturated (max prob %.4f)" % max(tops))
        if min(tops) < 1.0 / case.n_expr + 0.02:
            problems.append("softmax nearly uniform (max prob %.4f)"
                            % min(tops))
    for key in ("valence", "arousal"):
        if key in rows[0]:
            vals = [r[key] for r in rows]
            if max(abs(v) for v in vals) >= 0.99:
                problems.append("%s saturated (%s)" % (key, vals))
    if "au_probs" in rows[0]:
        aus = [p for r in rows for p in r["au_probs"]]
        if min(aus) <= 0.01 or max(aus) >= 0.99:
            problems.append("AU sigmoids saturated (%.4f..%.4f)"
                            % (min(aus), max(aus)))
        if max(aus) - min(aus) < 0.3:
            problems.append("AU probabilities not spread")
    # Faces must differ, or batching mistakes could go unnoticed.
    key = expected_keys(case)[0]
    for i in range(1, len(rows)):
        d = max(abs(a - b) for a, b in zip(flat(rows[0], key),
                                           flat(rows[i], key)))
        if d < 1e-3:
            problems.append("faces 0 and %d give nearly the same %s" % (i, key))
    return problems


def parse_engine(text, n, what):
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise Failure("%s: output line is not JSON (%s): %s"
                          % (what, e, line[:200]))
    if len(rows) != n:
        raise Failure("%s: %d result lines, expected %d" % (what, len(rows), n))
    for i, r in enumerate(rows):
        if not isinstance(r, dict):
            raise Failure("%s: line %d is not an object" % (what, i))
        if "expression_probs" in r and isinstance(r["expression_probs"], list):
            s = sum(r["expression_probs"])
            if not abs(s - 1.0) < 1e-4:
                raise Failure("%s: face %d probabilities sum to %r"
                              % (what, i, s))
    return rows


def stats_line(rows):
    parts = []
    if "expression_probs" in rows[0]:
        tops = [max(r["expression_probs"]) for r in rows]
        idx = [r["expression_probs"].index(t) for r, t in zip(rows, tops)]
        parts.append("max prob %.3f..%.3f argmax %s"
                     % (min(tops), max(tops), idx))
    if "valence" in rows[0]:
        va = [v for r in rows for v in (r["valence"], r["arousal"])]
        parts.append("VA %.3f..%.3f" % (min(va), max(va)))
    if "au_probs" in rows[0]:
        au = [p for r in rows for p in r["au_probs"]]
        parts.append("AU %.3f..%.3f" % (min(au), max(au)))
    return "; ".join(parts)


def float64_rows(model, x, case):
    """The reference in float64 on the same inputs: the yardstick of both
    float32 implementations."""
    import copy
    import torch
    m64 = copy.deepcopy(model).double()
    with torch.no_grad():
        out = m64(x.double())
    return ref_rows({k: v.detach().cpu().numpy() for k, v in out.items()},
                    case)


def f64_check(case, what, got, ref64, torch_err):
    """A table row: the engine's worst error against float64, which must
    stay within F64_RATIO times torch float32's own."""
    w, k, _ = compare_rows(got, ref64, case, math.inf, discrete=False)
    problems = []
    if w > F64_RATIO * torch_err:
        problems.append("%.3g against float64 is %.1f times torch float32's "
                        "%.3g (limit %.0f)" % (w, w / torch_err, torch_err,
                                               F64_RATIO))
    return (case.name, "f64 %s/%.2g" % (what, torch_err), w, k, problems)


# ---------------------------------------------------------------- main

def golden_doc(case, st_sha, in_sha, rows, torch_version):
    return {
        "case": case.name,
        "heads": case.heads_json(),
        "n_expr": case.n_expr,
        "labels": case.preset,
        "weights_seed": case.seed,
        "inputs_seed": INPUT_SEED,
        "n_faces": N_FACES,
        "weights_sha256": st_sha,
        "inputs_sha256": in_sha,
        "generated_by": "tests/parity/parity.py --update-goldens (torch %s)"
                        % torch_version,
        "outputs": [{k: ([f9(x) for x in v] if isinstance(v, list) else f9(v))
                     for k, v in r.items()} for r in rows],
    }


def golden_text(doc):
    """JSON with one line per face."""
    lines = ["{"]
    for k, v in doc.items():
        if k != "outputs":
            lines.append(" %s: %s," % (json.dumps(k), json.dumps(v)))
    lines.append(' "outputs": [')
    lines.append(",\n".join("  " + json.dumps(r) for r in doc["outputs"]))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def load_golden(case):
    try:
        with open(case.golden_path()) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Failure("cannot read golden %s: %s" % (case.golden_path(), e))


def require_nondegenerate(ref, case):
    """Failure when the reference rows REF are degenerate (nondegenerate)."""
    problems = nondegenerate(ref, case)
    if problems:
        raise Failure("reference outputs degenerate: " + "; ".join(problems))


class Inputs:
    """The N_FACES generated faces: their little-endian float32 bytes, the
    sha256 of those, and raw files in WORKDIR of all faces (raw5) and of the
    first one (raw1)."""

    def __init__(self, workdir):
        inputs = weights.make_inputs(N_FACES, INPUT_SEED)
        self.data = weights.inputs_le_bytes(inputs)
        self.sha = sha256(self.data)
        per_face = len(self.data) // N_FACES
        self.raw5 = os.path.join(workdir, "faces5.raw")
        self.raw1 = os.path.join(workdir, "faces1.raw")
        with open(self.raw5, "wb") as f:
            f.write(self.data)
        with open(self.raw1, "wb") as f:
            f.write(self.data[:per_face])


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--infer", help="path of ddamfn-infer")
    ap.add_argument("--convert", required=True, help="path of ddamfn-convert")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mode", choices=("live", "golden", "auto"),
                    default="auto")
    ap.add_argument("--update-goldens", action="store_true",
                    help="rewrite tests/golden/parity-*.json (live only)")
    ap.add_argument("--check-sensitivity", action="store_true",
                    help="live only: show that common implementation "
                    "mistakes move the outputs far beyond the tolerance")
    ap.add_argument("--cases", help="comma list of case names")
    return ap.parse_args()


def pick_mode(args):
    """The mode to run in ('auto' resolved by whether torch imports), which
    is printed with the reason; Failure when the options contradict it."""
    mode, why = args.mode, ""
    torch_error = None
    if mode in ("live", "auto"):
        try:
            import importlib
            importlib.import_module("torch")
            importlib.import_module("numpy")
        except Exception as e:     # ImportError, or a broken install
            torch_error = "%s: %s" % (type(e).__name__, e)
    if mode == "auto":
        if torch_error:
            mode, why = "golden", "torch not importable under %s (%s)" % (
                sys.executable, torch_error)
        else:
            mode, why = "live", "torch importable under %s" % sys.executable
    elif mode == "live" and torch_error:
        raise Failure("live mode needs torch: %s" % torch_error)
    else:
        why = "requested"
    if args.update_goldens and mode != "live":
        raise Failure("--update-goldens needs live mode (torch)")
    if not args.infer and not args.update_goldens:
        raise Failure("--infer is required (except with --update-goldens)")
    print("parity: mode %s (%s)" % (mode, why))
    if mode == "live":
        import torch
        print("parity: torch %s, tolerance engine %.0e, goldens %.0e"
              % (torch.__version__, ENGINE_TOL, GOLDEN_TOL))
    return mode


def pick_cases(spec):
    """The cases named in the comma list SPEC (all when None)."""
    if not spec:
        return CASES
    names = spec.split(",")
    cases = [c for c in CASES if c.name in names]
    if len(cases) != len(names):
        raise Failure("unknown case in %r; known: %s"
                      % (spec, ", ".join(c.name for c in CASES)))
    return cases


def golden_drift(case, ref, st_sha, in_sha):
    """A table row: the torch reference now against the committed goldens,
    whose weights and inputs must be the ones generated now."""
    problems = []
    try:
        g = load_golden(case)
    except Failure as e:
        g = {"outputs": ref}
        problems.append(str(e))
    if g.get("weights_sha256", st_sha) != st_sha:
        problems.append("weights differ from the goldens' "
                        "(generator changed?)")
    if g.get("inputs_sha256", in_sha) != in_sha:
        problems.append("inputs differ from the goldens'")
    w, k, p = compare_rows(ref, g["outputs"], case, GOLDEN_TOL,
                           discrete=False)
    return (case.name, "torch~golden", w, k, problems + p)


def live_reference(args, case, state, st_sha, inputs, pth, table, notes):
    """The torch reference's outputs of CASE on INPUTS, written to the
    goldens with --update-goldens or else compared with them; the checkpoint
    PTH written by torch.save. Returns (rows, (float64 rows, torch
    float32's worst error against them))."""
    import numpy as np
    import ddamfn_torch
    import torch
    model = build_live_model(case, state)
    x = torch.from_numpy(np.frombuffer(
        inputs.data, dtype="<f4").astype(np.float32).reshape(
            N_FACES, 3, 112, 112))
    out = ddamfn_torch.outputs(model, x)
    ref = ref_rows(out, case)
    ref64 = float64_rows(model, x, case)
    f64_torch, _, _ = compare_rows(ref, ref64, case, math.inf,
                                   discrete=False)
    require_nondegenerate(ref, case)        # never write such goldens
    if args.update_goldens:
        os.makedirs(GOLDEN_DIR, exist_ok=True)
        with open(case.golden_path(), "w") as f:
            f.write(golden_text(golden_doc(
                case, st_sha, inputs.sha, ref, torch.__version__)))
        notes.append("%s: wrote %s" % (
            case.name, os.path.relpath(case.golden_path(), TOP)))
    else:
        table.append(golden_drift(case, ref, st_sha, inputs.sha))
    if args.check_sensitivity:
        for label, d in sensitivity(model, x, out):
            notes.append("%s: mistake %-38s moves outputs by %.3g%s"
                         % (case.name, label, d,
                            "" if d > 10 * ENGINE_TOL else "  <-- WEAK"))
    write_live_checkpoint(model, pth)
    return ref, (ref64, f64_torch)


def golden_reference(case, state, st_sha, in_sha, pth):
    """The committed golden outputs of CASE, once the weights and inputs
    generated now are shown to be the ones they were computed from; the
    checkpoint PTH written by the stdlib writer."""
    g = load_golden(case)
    problems = []
    if g.get("weights_sha256") != st_sha:
        problems.append(
            "generated weights do not match the goldens' sha256 "
            "(weights.py or Python's random changed); rerun "
            "with torch: parity.py --update-goldens")
    if g.get("inputs_sha256") != in_sha:
        problems.append("generated inputs do not match the "
                        "goldens' sha256")
    if problems:
        raise Failure("; ".join(problems))
    ref = g["outputs"]
    write_stdlib_checkpoint(state, pth)
    require_nondegenerate(ref, case)
    return ref


def engine_check(infer, st_path, raw, n, case, ref, what, label, table,
                 env=None):
    """ddamfn-infer on the N faces in RAW against the reference's first N;
    adds the table row LABEL and returns the engine's rows."""
    text = run([infer, "--model", st_path, "--raw", raw,
                "--full-precision"], what, env=env)
    got = parse_engine(text, n, what)
    w, k, p = compare_rows(got, ref[:n], case, ENGINE_TOL)
    table.append((case.name, label, w, k, p))
    return got


def engine_checks(infer, case, st_path, inputs, ref, f64, table, notes):
    """The engine on the converted model of CASE: batches of N_FACES and 1
    with the kernels it picks, then N_FACES with each other kernel variant.
    With F64 = (float64 rows, torch float32's error against them) the
    N_FACES runs are also held against float64."""
    for n, raw in ((N_FACES, inputs.raw5), (1, inputs.raw1)):
        got = engine_check(infer, st_path, raw, n, case, ref,
                           "ddamfn-infer %s batch %d" % (case.name, n),
                           "engine b%d" % n, table)
        if f64 and n == N_FACES:
            table.append(f64_check(case, "b%d" % n, got, *f64))
    # The other kernel variants (DDAMFN_CPU). A variant this CPU cannot run
    # would silently fall back to the best one it can: it is left out and
    # said so instead.
    for variant in ("generic", "avx2"):
        if not cpu_runs(variant):
            notes.append("%s: kernel variant %s skipped: this CPU "
                         "lacks it" % (case.name, variant))
            continue
        got = engine_check(infer, st_path, inputs.raw5, N_FACES, case, ref,
                           "ddamfn-infer %s %s" % (case.name, variant),
                           "b%d %s" % (N_FACES, variant), table,
                           env=dict(os.environ, DDAMFN_CPU=variant))
        if f64:
            table.append(f64_check(case, variant, got, *f64))


def run_case(args, mode, case, inputs, table, notes):
    """CASE's reference (torch in live mode, the goldens in golden mode),
    then the engine on its converted checkpoint; results go to TABLE and
    NOTES. False when there is no engine to check (--update-goldens without
    --infer); Failure when the case cannot go on."""
    state = weights.make_state(case.heads, case.n_expr, case.seed)
    st_sha = weights.state_sha256(state)
    pth = os.path.join(args.workdir, "parity-%s.pth" % case.name)
    st_path = os.path.join(args.workdir, "parity-%s.safetensors" % case.name)
    if mode == "live":
        ref, f64 = live_reference(args, case, state, st_sha, inputs, pth,
                                  table, notes)
    else:
        ref = golden_reference(case, state, st_sha, inputs.sha, pth)
        f64 = None
    notes.append("%s: reference %s" % (case.name, stats_line(ref)))
    if args.update_goldens and not args.infer:
        return False
    run(script_cmd(args.convert) +
        [pth, st_path, "--labels", case.preset], "convert")
    engine_checks(args.infer, case, st_path, inputs, ref, f64, table, notes)
    return True


def error_row(case, e):
    """The table row of a case that stopped on exception E."""
    if isinstance(e, Failure):
        return (case.name, "error", math.nan, "-", [str(e)])
    import traceback                # e.g. load_state_dict(strict) mismatch
    traceback.print_exc()
    msg = str(e).strip().splitlines()
    return (case.name, "error", math.nan, "-",
            ["%s: %s" % (type(e).__name__, "\n    ".join(msg[:12]))])


def report(table, notes, t_start):
    """Prints the table of checks and the notes; the exit status."""
    all_ok = True
    print()
    print("%-11s %-13s %-12s %-17s %s" % ("case", "check", "max|err|",
                                          "worst output", "result"))
    print("-" * 66)
    for name, what, w, k, problems in table:
        ok = not problems
        all_ok &= ok
        print("%-11s %-13s %-12s %-17s %s" % (
            name, what, "-" if math.isnan(w) else "%.3g" % w, k,
            "PASS" if ok else "FAIL"))
        for p in problems[:8]:
            print("    " + p)
        if len(problems) > 8:
            print("    ... %d more" % (len(problems) - 8))
    print()
    for n in notes:
        print("  " + n)
    print("parity: %s in %.1f s" % ("PASS" if all_ok else "FAIL",
                                    time.time() - t_start))
    return 0 if all_ok else 1


def main():
    args = parse_args()
    t_start = time.time()
    try:
        mode = pick_mode(args)
        os.makedirs(args.workdir, exist_ok=True)
        cases = pick_cases(args.cases)
    except Failure as e:
        print(e)
        return 1
    inputs = Inputs(args.workdir)

    table = []      # (case, check, worst error, key of the worst, problems)
    notes = []
    for case in cases:
        t0 = time.time()
        try:
            if not run_case(args, mode, case, inputs, table, notes):
                continue            # goldens written, no time noted
        except Exception as e:      # Failure, or e.g. a torch error
            table.append(error_row(case, e))
        notes.append("%s: %.1f s" % (case.name, time.time() - t0))
    return report(table, notes, t_start)


if __name__ == "__main__":
    sys.exit(main())
