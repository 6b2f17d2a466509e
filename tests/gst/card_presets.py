#!/usr/bin/env python3
"""Every preset family through gst-launch-1.0, and cards that lie.

For each family a model file in its layout (the real FER2013
mini-Xception; small ONNX networks with the input and output shapes of
HSEmotion's enet_b0_8_va_mtl, enet_b0_8_best_afew, enet_b2_8 and FER+'s
emotion-ferplus-8, random weights; the multitask DDAMFN test model, whose metadata names AffectNet-8's classes)
runs in

  filesrc ! decodebin ! videoconvert ! ddamfnfacedetect !
  ddamfnfilter model=FILE ! ddamfnoverlay ! ddamfnjson ! filesink

on Megamind.avi with no card and no preset: the card is chosen from the
file's shapes (and name). The records must carry that family's labels, in
its order, valence and arousal exactly when the family has them, and
probabilities that sum to 1. Then cards and presets that do not fit are
refused at start with a message naming the mismatch.

usage: card_presets.py REFERENCE_DIR DDAMFN_MODEL VIDEO WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(HERE, "..", "import")

HSE = ["Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral",
       "Sadness", "Surprise"]
FERPLUS = ["Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust",
           "Fear", "Contempt"]
FER2013 = ["Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral"]


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def small_onnx(path, c, size, n_out, seed):
    """Conv 8x8 stride 8 -> ReLU -> global average -> dense: the shapes of
    a family, random weights that make the answer depend on the face."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.3, (16, c, 8, 8)).astype(np.float32)
    b = rng.normal(0, 0.1, 16).astype(np.float32)
    g = rng.normal(0, 1.5, (n_out, 16)).astype(np.float32)
    gb = rng.normal(0, 0.2, n_out).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["input", "w", "b"], ["c"],
                         kernel_shape=[8, 8], strides=[8, 8]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "g", "gb"], ["output"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "family",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       ["N", c, size, size])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       ["N", n_out])],
        [numpy_helper.from_array(a, n) for a, n in
         ((w, "w"), (b, "b"), (g, "g"), (gb, "gb"))])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, path)


def launch(model, video, out, extra=""):
    pipeline = ("filesrc location=%s ! decodebin ! videoconvert ! "
                "ddamfnfacedetect ! ddamfnfilter model=%s %s ! ddamfnoverlay "
                "! ddamfnjson skip-empty=true ! filesink location=%s" % (
                    video, model, extra, out))
    return subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(),
                          capture_output=True, text=True, timeout=600)


def check_family(name, model, labels, va, video, work):
    out = os.path.join(work, name + ".jsonl")
    r = launch(model, video, out)
    if r.returncode != 0:
        die("%s: gst-launch-1.0 failed:\n%s" % (name, r.stderr[-2000:]))
    faces = [f for line in open(out) for f in json.loads(line)["faces"]
             if "expression" in f]
    if len(faces) < 50:
        die("%s: only %d analysed faces" % (name, len(faces)))
    seen = set()
    for f in faces:
        if f["expression_labels"] != labels:
            die("%s: labels %s, expected %s" % (name, f["expression_labels"],
                                                labels))
        if f["expression"] not in labels:
            die("%s: expression %s" % (name, f["expression"]))
        if abs(sum(f["expression_probs"]) - 1) > 1e-4:
            die("%s: probabilities sum to %g" % (name,
                                                 sum(f["expression_probs"])))
        if ("valence" in f) != va or ("arousal" in f) != va:
            die("%s: valence/arousal %s, expected %s" % (
                name, "valence" in f, va))
        seen.add(f["expression"])
    print("%-22s %4d faces, labels %s..., expressions seen %s%s" % (
        name, len(faces), labels[:3], sorted(seen),
        ", valence and arousal" if va else ""))


def refused(name, model, extra, video, work, *needles):
    r = launch(model, video, os.path.join(work, "refused.jsonl"), extra)
    msg = r.stderr
    if r.returncode == 0 or not all(n in msg for n in needles):
        die("%s: expected a refusal naming %s; exit %d:\n%s" % (
            name, needles, r.returncode, msg[-1500:]))
    line = [l for l in msg.splitlines() if "does not fit" in l or
            "preset" in l][:1]
    print("%-22s refused: %s" % (name, line[0].strip() if line else "?"))


def main():
    refs, ddamfn, video, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("SKIP: the Python onnx package is missing")
        sys.exit(77)
    r = subprocess.run([os.path.join(IMPORT, "setup-references.sh"), refs])
    if r.returncode != 0:
        die("the references could not be installed (npm is needed once)")
    fams = [
        ("enet_b0_8_va_mtl.onnx", 3, 224, 10, HSE, True),
        ("enet_b0_8_best_afew.onnx", 3, 224, 8, HSE, False),
        ("enet_b2_8.onnx", 3, 260, 8, HSE, False),
        ("emotion-ferplus-8.onnx", 1, 64, 8, FERPLUS, False),
    ]
    for i, (f, c, size, n, labels, va) in enumerate(fams):
        path = os.path.join(work, f)
        small_onnx(path, c, size, n, 30 + i)
        check_family(f[:-5], path, labels, va, video, work)
    check_family("fer2013-mini-xception",
                 os.path.join(refs, "emotion", "emotion.json"), FER2013,
                 False, video, work)
    check_family("ddamfn-multitask", ddamfn,
                 ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust",
                  "Angry", "Contempt"], True, video, work)

    ferplus = os.path.join(work, "emotion-ferplus-8.onnx")
    lie = os.path.join(work, "lie-size.card.json")
    with open(lie, "w") as f:
        json.dump({"name": "claims 112", "preset": "emotion-ferplus-8",
                   "input": {"width": 112, "height": 112}}, f)
    refused("input size", ferplus, "card=" + lie, video, work,
            "does not fit", "112×112", "64×64")
    lie = os.path.join(work, "lie-classes.card.json")
    with open(lie, "w") as f:
        json.dump({"name": "claims 7 classes", "preset": "emotion-ferplus-8",
                   "expression": {"labels": FER2013}}, f)
    refused("class count", ferplus, "card=" + lie, video, work,
            "does not fit", "value 7 of output", "not mapped")
    refused("wrong preset", os.path.join(work, "enet_b0_8_va_mtl.onnx"),
            "preset=enet_b2_8", video, work, "does not fit", "260×260",
            "224×224")
    refused("preset on DDAMFN", ddamfn, "preset=fer2013-mini-xception",
            video, work, "does not fit", "64×64", "112×112")
    refused("unknown preset", ferplus, "preset=vgg", video, work,
            "unknown preset", "emotion-ferplus-8")
    print("PASS")


if __name__ == "__main__":
    main()
