#!/usr/bin/env python3
"""Parity test: the C face detector against the NumPy reference forward
pass of the same TFLite graph (tests/parity/reference/blazeface_numpy.py).

For each installed BlazeFace model (the .safetensors written by
models/fetch-detector.sh and the .tflite it keeps beside it) and each real
image (messi5.jpg; Megamind.avi frames 30, 120, 210 when GStreamer can
decode them), tests/parity/detector-dump writes the letterboxed input tensor, the
raw outputs of every anchor and the detected faces. The reference runs the
TFLite graph on that same tensor:

  - raw outputs (the 16 regressors of every anchor and the score logits as
    the decoder reads them, clipped to ±100): |C − reference| ≤ 1e-4 +
    1e-5 · |reference| (float32 against float64: far from faces the
    short-range model has values up to ±230, where a float32 NumPy run of
    the same graph is itself 3e-4 off), or else an RMS error no more than
    twice that of the same graph run by NumPy in float32 (seen on Debian 13:
    a score logit of -61.7 off by 8e-4 where float32 NumPy is 3.8e-4 off,
    RMS 2.9e-5 against 1.6e-5): float32 arithmetic cannot do better than
    itself; the largest and RMS differences are printed;
  - decoded faces (reference decoding with weighted NMS of the reference
    outputs): the same number, boxes and keypoints within 0.5 px.

Also: on messi5.jpg the full-range model finds exactly one face, with its
centre inside OpenCV's box of that face (226, 94, 38 × 38).

Usage: test_detector_parity.py DETECTOR_DUMP MODEL_DIR DATA_DIR WORKDIR
$DDAMFN_DETECTOR_DIR, when set, replaces MODEL_DIR. Exit 77 (skip) when no
model is installed there, with a message saying how to fetch them.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "reference"))
import blazeface_numpy as bn  # noqa: E402

MODELS = (("short", "blazeface-short-range.safetensors",
           "face_detection_short_range.tflite", 0.5),
          ("full", "blazeface-full-range.safetensors",
           "face_detection_full_range.tflite", 0.6))
TOL_RAW = 1e-4
TOL_REL = 1e-5
TOL_PX = 0.5


def megamind_frames(data, work, frames):
    """Raw RGB frames of Megamind.avi, or [] when it cannot be decoded."""
    avi = os.path.join(data, "Megamind.avi")
    launch = shutil.which("gst-launch-1.0")
    if not os.path.exists(avi) or launch is None:
        print("note: Megamind.avi or gst-launch-1.0 missing: photo only")
        return []
    raw = os.path.join(work, "megamind.rgb")
    p = subprocess.run([launch, "-q", "filesrc", "location=" + avi, "!",
                        "decodebin", "!", "videoconvert", "!",
                        "video/x-raw,format=RGB,width=720,height=528", "!",
                        "filesink", "location=" + raw],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print("note: could not decode Megamind.avi: %s" % p.stderr.strip())
        return []
    return [("Megamind frame %d" % f, "%s:720x528:%d" % (raw, f))
            for f in frames]


def reference_faces(scores, regs, size, width, height, min_score):
    side = max(width, height)
    x0, y0 = (width - side) / 2, (height - side) / 2
    out = []
    for score, d in bn.decode(scores, regs, size, min_score):
        v = d.copy()
        v[0::2] = x0 + v[0::2] * side
        v[1::2] = y0 + v[1::2] * side
        out.append((score, v))
    return out


def check_case(dump, model, tflite_graph, size, min_score, name, image, work):
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([dump, model, image, out], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        return ["%s: detector-dump failed: %s" % (name, p.stderr.strip())], None
    res = json.loads(p.stdout)
    x = np.fromfile(os.path.join(out, "input.f32"), "<f4")
    x = x.reshape(3, size, size).transpose(1, 2, 0)
    c_scores = np.fromfile(os.path.join(out, "scores.f32"), "<f4")
    c_regs = np.fromfile(os.path.join(out, "regressors.f32"),
                         "<f4").reshape(-1, 16)
    r_scores, r_regs = tflite_graph.run(x)
    errors = []
    if c_scores.shape != r_scores.shape or c_regs.shape != r_regs.shape:
        return ["%s: output shapes %s %s, reference %s %s"
                % (name, c_scores.shape, c_regs.shape, r_scores.shape,
                   r_regs.shape)], res
    # float32 against float64: the error grows with the magnitude (the
    # short-range model has logits beyond ±200 far from faces), as
    # numpy.allclose (atol, rtol) measures it
    c_all = np.concatenate([np.clip(c_scores, -100, 100), c_regs.ravel()])
    r_all = np.concatenate([np.clip(r_scores, -100, 100), r_regs.ravel()])
    err = np.abs(c_all - r_all)
    excess = (err - TOL_RAW - TOL_REL * np.abs(r_all)).max()
    small = np.abs(r_all) <= 1.0
    s32, g32 = tflite_graph.run(x, np.float32)
    err32 = np.abs(np.concatenate([np.clip(s32, -100, 100), g32.ravel()])
                   - r_all)
    rms, rms32 = np.sqrt((err ** 2).mean()), np.sqrt((err32 ** 2).mean())
    print("  %-18s max |err| %.2e (|ref| up to %.0f), %.2e where |ref| <= 1;"
          " RMS %.2e; NumPy float32: max %.2e, RMS %.2e"
          % (name, err.max(), np.abs(r_all).max(),
             err[small].max() if small.any() else 0.0, rms, err32.max(),
             rms32))
    if excess > 0 and rms > 2 * rms32:
        errors.append("%s: raw outputs differ by more than %g + %g |ref| "
                      "(max |err| %.3g) and their RMS error is more than "
                      "twice float32's own (%.3g against %.3g)"
                      % (name, TOL_RAW, TOL_REL, err.max(), rms, rms32))
    ref = reference_faces(r_scores, r_regs, size, res["width"],
                          res["height"], min_score)
    faces = res["faces"]
    if len(ref) != len(faces):
        errors.append("%s: %d faces, the reference decodes %d"
                      % (name, len(faces), len(ref)))
        return errors, res
    worst = 0.0
    for (rs, rv), f in zip(ref, faces):
        b = f["box"]
        cv = np.array([b[0], b[1], b[0] + b[2], b[1] + b[3]] +
                      f["keypoints"])
        worst = max(worst, np.abs(cv - rv).max())
        if abs(rs - f["score"]) > 1e-4:
            errors.append("%s: score %.6f, reference %.6f"
                          % (name, f["score"], rs))
    print("  %-18s %d face(s), boxes and keypoints within %.4f px"
          % ("", len(faces), worst))
    if worst > TOL_PX:
        errors.append("%s: decoded faces differ by %.3f px (limit %g)"
                      % (name, worst, TOL_PX))
    return errors, res


def main():
    dump, model_dir, data, work = sys.argv[1:5]
    model_dir = os.environ.get("DDAMFN_DETECTOR_DIR") or model_dir
    present = [m for m in MODELS
               if model_dir and os.path.exists(os.path.join(model_dir, m[1]))
               and os.path.exists(os.path.join(model_dir, m[2]))]
    if not present:
        print("SKIP: no BlazeFace models in '%s' (run models/fetch-detector.sh"
              " DIR and set DDAMFN_DETECTOR_DIR=DIR)" % model_dir)
        return 77
    os.makedirs(work, exist_ok=True)
    cases = []
    photo = os.path.join(data, "messi5.jpg")
    if os.path.exists(photo):
        cases.append(("messi5.jpg", photo))
    cases += megamind_frames(data, work, (30, 120, 210))
    if not cases:
        print("SKIP: no test images in %s" % data)
        return 77
    errors = []
    for label, st, tfl, min_score in present:
        graph = bn.Graph(os.path.join(model_dir, tfl))
        print("%s range (%s):" % (label, st))
        for name, image in cases:
            e, res = check_case(dump, os.path.join(model_dir, st), graph,
                                graph.size, min_score, name, image, work)
            errors += e
            if label == "full" and name == "messi5.jpg" and res:
                faces = res["faces"]
                if len(faces) != 1:
                    errors.append("messi5.jpg: %d faces, expected 1"
                                  % len(faces))
                else:
                    b = faces[0]["box"]
                    cx, cy = b[0] + b[2] / 2, b[1] + b[3] / 2
                    if not (226 <= cx <= 264 and 94 <= cy <= 132):
                        errors.append("messi5.jpg: face centre (%.1f, %.1f) "
                                      "outside 226,94 38x38" % (cx, cy))
    for e in errors:
        print("FAIL: " + e)
    print("%d checks failed" % len(errors) if errors else "all passed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
