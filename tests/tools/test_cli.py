#!/usr/bin/env python3
"""ddamfn-infer as a user runs it: JPEG crops in, one JSON line per image;
raw tensors in, one JSON line per face; every error one line and exit 1.

usage: test_cli.py PATH/TO/ddamfn-infer WORKDIR SHARED_DATA_DIR
"""
import json
import os
import re
import subprocess
import sys
import unittest
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import modelfile  # noqa: E402

INFER = WORK = DATA = None


def infer(*args, env=None):
    return subprocess.run([INFER] + list(args), capture_output=True,
                          text=True, timeout=300, env=env)


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = os.path.join(WORK, "multitask.safetensors")
        heads = {"va", "expression", "au"}
        meta = modelfile.default_metadata(heads, 8)
        meta["expression_labels"] = ("Neutral,Anger,Disgust,Fear,Happiness,"
                                     "Sadness,Surprise,Other")
        meta["au_thresholds"] = ",".join(["0.5"] * 11 + ["0.0"])
        modelfile.write_safetensors(
            cls.model, modelfile.model_tensors(heads, 8, seed=4), meta)

    def assert_error(self, r, *fragments):
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        for f in fragments:
            self.assertIn(f, r.stderr)

    def test_jpeg_gives_one_line_per_image(self):
        photo = os.path.join(DATA, "messi5.jpg")
        if not os.path.exists(photo):
            self.skipTest("%s absent" % photo)
        r = infer("--model", self.model, photo, photo)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        self.assertEqual(len(lines), 2)
        rec = lines[0]
        self.assertEqual(rec["image"], photo)
        # six decimals, as the CSV, the JSON records and the messages
        numbers = re.findall(r"-?\d+\.\d+", r.stdout.splitlines()[0])
        self.assertGreater(len(numbers), 20)
        self.assertTrue(all(len(n.split(".")[1]) == 6 for n in numbers),
                        numbers)
        # the same batch of two (results may differ in the last bits
        # between batch sizes: another order of the sums)
        full = infer("--model", self.model, "--full-precision", photo, photo)
        exact = json.loads(full.stdout.splitlines()[0])
        for a, b in zip(rec["expression_probs"], exact["expression_probs"]):
            self.assertAlmostEqual(a, b, delta=5.1e-7)
        self.assertTrue(any(len(n.split(".")[1]) > 6 for n in
                            re.findall(r"\d+\.\d+", full.stdout)))
        self.assertEqual(len(rec["expression_probs"]), 8)
        self.assertEqual(rec["expression"], ["Neutral", "Anger", "Disgust",
                                             "Fear", "Happiness", "Sadness",
                                             "Surprise", "Other"]
                         [rec["expression_index"]])
        self.assertTrue(-1 <= rec["valence"] <= 1)
        self.assertTrue(-1 <= rec["arousal"] <= 1)
        self.assertEqual(len(rec["au_probs"]), 12)
        # AU26's threshold is 0: it is always active.
        self.assertIn("AU26", rec["au_active"])
        self.assertEqual(lines[0], dict(lines[1], image=photo))

    def test_raw_faces(self):
        raw = os.path.join(WORK, "three.raw")
        with open(raw, "wb") as f:
            f.write(array("f", [0.1] * (3 * 3 * 112 * 112)).tobytes())
        r = infer("--model", self.model, "--raw", raw, "--batch", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        faces = [json.loads(x)["face"] for x in r.stdout.splitlines()]
        self.assertEqual(faces, [0, 1, 2])

    def test_raw_size_not_whole_faces(self):
        raw = os.path.join(WORK, "partial.raw")
        with open(raw, "wb") as f:
            f.write(b"\0" * (3 * 112 * 112 * 4 + 4))
        self.assert_error(infer("--model", self.model, "--raw", raw),
                          "150532 bytes is not a whole number")

    def test_not_a_jpeg(self):
        bad = os.path.join(WORK, "bad.jpg")
        with open(bad, "wb") as f:
            f.write(b"GIF89a not a jpeg at all")
        self.assert_error(infer("--model", self.model, bad), "not a JPEG")

    def test_no_model_anywhere_names_the_three_ways(self):
        installed = os.environ.get("DDAMFN_INSTALLED_MODEL_DIR", "")
        for default in ("affectnet8.safetensors", "emotion.json"):
            if os.path.exists(os.path.join(installed, default)):
                self.skipTest("a default model is installed: "
                              + os.path.join(installed, default))
        env = dict(os.environ)
        env.pop("DDAMFN_MODEL", None)
        r = infer("x.jpg", env=env)
        for f in ("--model", "DDAMFN_MODEL", "affectnet8.safetensors",
                  "emotion.json"):
            self.assert_error(r, f)

    def test_model_from_the_environment(self):
        raw = os.path.join(WORK, "env-one.raw")
        with open(raw, "wb") as f:
            array("f", [0.25] * (3 * 112 * 112)).tofile(f)
        by_option = infer("--model", self.model, "--raw", raw)
        by_env = infer("--raw", raw, env=dict(os.environ,
                                              DDAMFN_MODEL=self.model))
        self.assertEqual(by_option.returncode, 0, by_option.stderr)
        self.assertEqual(by_env.returncode, 0, by_env.stderr)
        self.assertEqual(by_env.stdout, by_option.stdout)

    def test_option_errors_name_the_option(self):
        self.assert_error(infer("--model", self.model, "--threads", "100000",
                                "x.jpg"),
                          "--threads must be between 0 and 64")
        self.assert_error(infer("--model", self.model, "--batch", "0",
                                "x.jpg"),
                          "--batch must be between 1 and 1024")

    def test_help_is_utf8_in_a_utf8_locale(self):
        r = subprocess.run([INFER, "--help"], capture_output=True,
                           timeout=60, env=dict(os.environ, LC_ALL="C.UTF-8"))
        self.assertEqual(r.returncode, 0)
        text = r.stdout.decode("utf-8")
        # GOption's own "…" comes through as UTF-8, and the help names
        # no input size: the model's card sets it
        self.assertIn("IMAGE.jpg…", text)
        self.assertIn("as the model's card says", text)
        self.assertNotIn("112", text)

    def test_print_plan(self):
        r = infer("--print-plan", self.model)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("plan of ddamfn: "), r.stdout[:80])
        self.assertIn("total FLOPs per face: ", r.stdout)

    def test_print_plan_of_a_face_detector(self):
        d = os.environ.get("DDAMFN_DETECTOR_DIR") or os.environ.get(
            "DDAMFN_INSTALLED_MODEL_DIR", "")
        path = os.path.join(d, "blazeface-full-range.safetensors")
        if not os.path.exists(path):
            self.skipTest("%s absent (models/fetch-detector.sh)" % path)
        r = infer("--print-plan", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("plan of blazeface"),
                        r.stdout[:80])
        self.assertIn("depthwise-wide", r.stdout)
        self.assertIn("total FLOPs per face: ", r.stdout)

    def test_print_plan_of_neither(self):
        bad = os.path.join(WORK, "not-a-model.safetensors")
        with open(bad, "wb") as f:
            f.write(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
        r = infer("--print-plan", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(as a face detector model: ", r.stderr)
        self.assertEqual(r.stdout, "")


def main():
    global INFER, WORK, DATA
    INFER, WORK, DATA = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=[sys.argv[0], "-v"])


if __name__ == "__main__":
    main()
