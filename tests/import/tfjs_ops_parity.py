#!/usr/bin/env python3
"""Every TensorFlow.js operator and weight encoding the importer takes,
against TensorFlow.js itself: make_tfjs_model.py writes one graph that
uses them all, with its weights as float32, float16, uint8 and uint16
shards; TensorFlow.js's CPU backend and graph-run (every kernel variant
this CPU runs) run 11 random inputs (a chunk of 8 and 3 more); every
value of both outputs must agree within 1e-5.

usage: tfjs_ops_parity.py GRAPH_RUN REFERENCE_DIR WORKDIR
(REFERENCE_DIR as for tfjs_parity.py: installed when missing.)
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-5


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


def main():
    graph_run, refs, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    tfjs = os.path.join(refs, "node", "node_modules")
    # always through the set-up script: it installs what is missing and,
    # when another test is installing, waits for it (a lock)
    if subprocess.run([os.path.join(HERE, "setup-references.sh"),
                       refs]).returncode != 0:
        die("TensorFlow.js could not be installed (npm and the registry "
            "are needed once: tests/import/setup-references.sh %s)" % refs)
    inputs = os.path.join(work, "inputs.f32")
    np.random.default_rng(7).uniform(-1, 1, (11, 20, 18, 3)).astype(
        "<f4").tofile(inputs)
    failed = False
    for quant in ("float32", "float16", "uint8", "uint16"):
        model_dir = os.path.join(work, quant)
        run([sys.executable, os.path.join(HERE, "make_tfjs_model.py"),
             model_dir, quant])
        model = os.path.join(model_dir, "model.json")
        ref_json = os.path.join(work, quant + ".json")
        run(["node", os.path.join(HERE, "tfjs_reference.js"), model, inputs,
             ref_json], dict(os.environ, NODE_PATH=tfjs))
        ref = json.load(open(ref_json))
        if len(ref) != 11 or sorted(ref[0]) != ["Identity", "Identity_1"]:
            die("TensorFlow.js gave %d results, outputs %s" %
                (len(ref), sorted(ref[0])))
        for variant in ("generic", "avx2", "avx512"):
            r = run([graph_run, model, "--raw", inputs],
                    dict(os.environ, DDAMFN_CPU=variant))
            if "kernels: " + variant not in r.stderr:
                print("%-8s %-7s not run: no such kernels on this CPU" %
                      (quant, variant))
                continue
            got = [json.loads(l)["outputs"] for l in r.stdout.splitlines()]
            if len(got) != 11:
                die("%s %s: %d results" % (quant, variant, len(got)))
            err = {}
            for name in ("Identity", "Identity_1"):
                a = np.array([f[name] for f in got], dtype=np.float64)
                b = np.array([f[name] for f in ref], dtype=np.float64)
                if a.shape != (11, 10) or b.shape != (11, 10):
                    die("%s %s: output %s shapes %s, %s" %
                        (quant, variant, name, a.shape, b.shape))
                err[name] = np.abs(a - b).max()
            ok = max(err.values()) <= TOL
            failed |= not ok
            print("%-8s %-7s max |ours - TensorFlow.js|: softmax %.3g, "
                  "tanh %.3g: %s" % (quant, variant, err["Identity"],
                                     err["Identity_1"], "ok" if ok else "FAIL"))
    if failed:
        die("an output is further than %g from TensorFlow.js" % TOL)
    print("PASS")


if __name__ == "__main__":
    main()
