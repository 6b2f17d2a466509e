#!/usr/bin/env python3
"""Any model in the element, end to end on real video, against the model's
own runtime.

For each model, Megamind.avi runs through ddamfnfacedetect ! ddamfnfilter
(card-crops): for every face the filter analysed, the same face is cut
again from the same frame with the library's card-driven preprocessing,
and those crops go to the reference runtime. The filter's answers must be
the reference's on them:

1. The trained FER2013 mini-Xception (TensorFlow.js graph, preset chosen
   from its shapes): every probability within 1e-5 of TensorFlow.js's CPU
   backend; the labels are FER2013's; the faces do not all get one answer.
2. A HSEmotion-layout EfficientNet-B0 ONNX fixture (random weights,
   224 x 224 RGB, 8 logits + valence + arousal: preset enet_b0_8_va_mtl
   from its shapes): the filter's probabilities = softmax of ONNX
   Runtime's first 8 outputs, valence = output 8, arousal = output 9,
   within 1e-4. Skipped (77) where no ONNX Runtime is installed
   (Debian 12 has none; Debian 13 packages python3-onnxruntime).

usage: card_e2e.py fer2013|efficientnet CARD_CROPS REFERENCE_DIR VIDEO WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(HERE, "..", "import")
sys.path.insert(0, IMPORT)
import onnx_parity  # noqa: E402  (ONNX Runtime through Python or Node)

FER_LABELS = ["Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise",
              "Neutral"]


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=900)
    if r.returncode != 0:
        die("%s exited with %d:\n%s" % (" ".join(cmd), r.returncode,
                                        (r.stdout + r.stderr)[-3000:]))
    return r


def crops_of(tool, model, video, prefix, n):
    r = run([tool, model, video, prefix, str(n)])
    print(r.stdout.strip())
    doc = json.load(open(prefix + ".json"))
    x = np.fromfile(prefix + ".in.f32", "<f4")
    faces = doc["faces"]
    if len(faces) == 0 or x.size != len(faces) * doc["input_floats"]:
        die("%s: %d faces, %d floats of crops" % (model, len(faces), x.size))
    print("card: %s" % doc["card_name"])
    return doc, faces


def fer2013(tool, refs, video, work):
    model = os.path.join(refs, "emotion", "emotion.json")
    r = subprocess.run([os.path.join(IMPORT, "setup-references.sh"), refs])
    if r.returncode != 0:
        die("the references could not be installed (npm and the registry "
            "are needed once: tests/import/setup-references.sh %s)" % refs)
    prefix = os.path.join(work, "fer2013")
    doc, faces = crops_of(tool, model, video, prefix, 64)
    card = doc["card"]
    if card.get("preset") != "fer2013-mini-xception" or \
            card["expression"]["labels"] != FER_LABELS:
        die("the FER2013 model got the card %s" % json.dumps(card)[:300])
    x = np.fromfile(prefix + ".in.f32", "<f4").reshape(-1, 64, 64, 1)
    if not (x.min() >= -1.0001 and x.max() <= 1.0001 and x.std() > 0.1):
        die("the crops are not grey values in [-1, 1]: min %g max %g std %g"
            % (x.min(), x.max(), x.std()))
    out = prefix + ".tfjs.json"
    run(["node", os.path.join(IMPORT, "tfjs_reference.js"), model,
         prefix + ".in.f32", out],
        dict(os.environ, NODE_PATH=os.path.join(refs, "node",
                                                "node_modules")))
    want = np.array([f["Identity"] for f in json.load(open(out))])
    got = np.array([f["expr_probs"] for f in faces])
    if want.shape != got.shape or want.shape[1] != 7:
        die("shapes: TensorFlow.js %s, filter %s" % (want.shape, got.shape))
    err = float(np.abs(got - want).max())
    classes = sorted(set(want.argmax(axis=1)))
    print("FER2013 mini-Xception: %d faces on %d frames, max |filter - "
          "TensorFlow.js| = %.3g (bar 1e-5); classes %s" % (
              len(faces), len({f["frame"] for f in faces}), err,
              [FER_LABELS[c] for c in classes]))
    if not err <= 1e-5:
        die("the filter's probabilities are off TensorFlow.js's")
    if len(classes) < 2:
        die("every face got the same class: the crops are not faces?")


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def efficientnet(tool, refs, video, work):
    model = os.path.join(work, "efficientnet_b0.onnx")
    if not os.path.exists(model):
        r = subprocess.run([sys.executable, os.path.join(
            IMPORT, "make_onnx_fixtures.py"), work, "efficientnet_b0"])
        if r.returncode == 77:
            return "PyTorch or torchvision is missing"
        if r.returncode != 0:
            die("make_onnx_fixtures.py failed")
    prefix = os.path.join(work, "enet")
    doc, faces = crops_of(tool, model, video, prefix, 12)
    if doc["card"].get("preset") != "enet_b0_8_va_mtl":
        die("the 224 x 224, 10-output fixture got card %s" %
            doc["card"].get("preset"))
    ort, name = onnx_parity.ort_outputs(model, prefix + ".in.f32",
                                        (3, 224, 224), refs)
    if ort is None:
        return name
    got_p = np.array([f["expr_probs"] for f in faces])
    got_va = np.array([[f["valence"], f["arousal"]] for f in faces])
    err_p = float(np.abs(got_p - softmax(ort[:, :8])).max())
    err_va = float(np.abs(got_va - ort[:, 8:10]).max())
    print("EfficientNet-B0 (HSEmotion layout): %d faces, max |filter - %s| "
          "= %.3g (probabilities), %.3g (valence, arousal); bar 1e-4" % (
              len(faces), name, err_p, err_va))
    if not (err_p <= 1e-4 and err_va <= 1e-4):
        die("the filter's results are off ONNX Runtime's")
    return None


def main():
    which, tool, refs, video, work = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    if which == "fer2013":
        fer2013(tool, refs, video, work)
    else:
        skipped = efficientnet(tool, refs, video, work)
        if skipped:
            print("SKIP: %s" % skipped)
            sys.exit(77)
    print("PASS")


if __name__ == "__main__":
    main()
