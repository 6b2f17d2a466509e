#!/usr/bin/env python3
"""The C face detector's loader on broken model files: a small BlazeFace-
shaped graph (tests/lib/tflite_builder.py) converted by models/tflite-convert,
then its metadata, graph or tensors broken one way at a time. Each must be
refused by tests/parity/detector-dump with exit status 1 and a message
naming the problem — never a crash, never a run.

Usage: test_detector_model_errors.py DETECTOR_DUMP WORKDIR
"""
import json
import os
import struct
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, HERE)
import modelfile  # noqa: E402
from test_tflite_convert import Fixture  # noqa: E402

CONVERT = os.path.join(TOP, "models", "tflite-convert")
DUMP = WORK = None


class DetectorModelErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)
        src = os.path.join(WORK, "fixture.tflite")
        cls.good = os.path.join(WORK, "good.safetensors")
        with open(src, "wb") as f:
            f.write(Fixture().build())
        subprocess.run([sys.executable, CONVERT, src, cls.good], check=True,
                       capture_output=True)
        cls.md, cls.tensors = modelfile.read_safetensors(cls.good)
        cls.image = os.path.join(WORK, "grey.rgb")
        with open(cls.image, "wb") as f:
            f.write(bytes([128]) * (64 * 48 * 3))
        cls.out = os.path.join(WORK, "out")
        os.makedirs(cls.out, exist_ok=True)

    def run_dump(self, model):
        return subprocess.run([DUMP, model, self.image + ":64x48:0",
                               self.out], capture_output=True, text=True,
                              timeout=60)

    def broken(self, name, md=None, tensors=None):
        path = os.path.join(WORK, name + ".safetensors")
        modelfile.write_safetensors(path, tensors or self.tensors,
                                    md or self.md)
        return path

    def assert_refused(self, path, *needles):
        p = self.run_dump(path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        for n in needles:
            self.assertIn(n, p.stderr)
        self.assertNotIn("CRITICAL", p.stderr)

    def with_graph(self, edit):
        g = json.loads(self.md["graph"])
        edit(g)
        md = dict(self.md, graph=json.dumps(g))
        return md

    def test_valid_fixture_runs(self):
        p = self.run_dump(self.good)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["width"], 64)

    def test_not_a_detector(self):
        self.assert_refused(self.broken(
            "arch", dict(self.md, architecture="ddamfn")),
            "architecture is 'ddamfn', expected 'blazeface'")

    def test_graph_not_json(self):
        self.assert_refused(self.broken(
            "json", dict(self.md, graph="[{\"op\": ")),
            "metadata \"graph\" is not valid JSON")

    def test_output_shape_does_not_follow(self):
        def edit(g):
            g[1]["shape"] = [4, 17, 16]
        self.assert_refused(self.broken("shape", self.with_graph(edit)),
                            "depthwise_conv2d", "does not take")

    def test_unknown_input_tensor(self):
        def edit(g):
            g[2]["in"] = "nowhere"
        self.assert_refused(self.broken("input", self.with_graph(edit)),
                            "reads 'nowhere', which no earlier operator "
                            "writes")

    def test_unknown_operator(self):
        def edit(g):
            g[2]["op"] = "softmax"
        self.assert_refused(self.broken("op", self.with_graph(edit)),
                            "unknown operator 'softmax'")

    def test_padding_out_of_range(self):
        def edit(g):
            g[0]["pad"] = [0, 0, 0, 100]
        self.assert_refused(self.broken("pad", self.with_graph(edit)),
                            "\"pad\" must be 4 integers")

    def test_missing_weight(self):
        tensors = [t for t in self.tensors if t[0] != "regressor_16/Bias"]
        self.assert_refused(self.broken("missing", tensors=tensors),
                            "missing tensor 'regressor_16/Bias'")

    def test_weight_of_wrong_shape(self):
        tensors = [(n, d, [s[0] * s[1] * s[2] * s[3], 1, 1, 1]
                    if n == "conv2d_1/Kernel" else s, raw)
                   for n, d, s, raw in self.tensors]
        self.assert_refused(self.broken("wshape", tensors=tensors),
                            "conv2d_1/Kernel", "has shape")

    def test_non_finite_weight(self):
        tensors = [(n, d, s, struct.pack("<f", float("nan")) + raw[4:]
                    if n == "conv2d/Bias" else raw)
                   for n, d, s, raw in self.tensors]
        self.assert_refused(self.broken("nan", tensors=tensors),
                            "conv2d/Bias", "non-finite")

    def test_heads_do_not_fit_the_anchor_grids(self):
        self.assert_refused(self.broken(
            "grids", dict(self.md, anchor_grids="16x16:1,8x8:6")),
            "do not fit the anchor grid")
        self.assert_refused(self.broken(
            "grids2", dict(self.md, anchor_grids="16x15:2")),
            "anchor_grids")

    def test_head_is_not_a_convolution(self):
        self.assert_refused(self.broken(
            "head", dict(self.md, score_tensors="activation,add")),
            "output head 'activation' is not a convolution")

    def test_bad_numbers_in_metadata(self):
        self.assert_refused(self.broken(
            "size", dict(self.md, input_size="12x")), "\"input_size\"")
        self.assert_refused(self.broken(
            "score", dict(self.md, min_score="2")), "\"min_score\"")


if __name__ == "__main__":
    DUMP, WORK = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
