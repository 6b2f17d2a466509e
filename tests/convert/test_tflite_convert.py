#!/usr/bin/env python3
"""Tests of models/tflite-convert and models/fetch-detector.sh (offline).

The fixtures are small BlazeFace-shaped TFLite graphs written by
tests/lib/tflite_builder.py (128x128 input, the short-range anchor layout of
16x16x2 + 8x8x6 = 896 anchors), converted and compared value by value; then
broken: truncated at many lengths, wrong identifier, hostile offsets and
lengths, inconsistent shapes, unsupported operators, non-finite weights.
Every failure must be one 'tflite-convert: error:' line naming the problem,
exit status 1, and no output file.
"""
import json
import os
import random
import struct
import subprocess
import sys
import tarfile
import tempfile
import unittest
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "models")
CONVERT = os.path.join(MODELS, "tflite-convert")
FETCH = os.path.join(MODELS, "fetch-detector.sh")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import modelfile  # noqa: E402
import tflite_builder as tb  # noqa: E402

F32, F16, I32 = 0, 1, 2


def f16_bytes(vals):
    return struct.pack("<%de" % len(vals), *vals)


class Fixture:
    """A BlazeFace-shaped graph; attributes can be changed before build()."""

    def __init__(self, seed=1):
        rng = random.Random(seed)
        # values exactly representable in float16
        self.rnd = lambda n: [round(rng.uniform(-1, 1) * 256) / 256
                              for _ in range(n)]
        self.codes = [tb.CONV_2D, tb.DEPTHWISE_CONV_2D, tb.DEQUANTIZE,
                      tb.RELU, tb.MAX_POOL_2D, tb.PAD, tb.ADD, tb.RESHAPE,
                      tb.CONCATENATION]
        self.tensors = []       # [name, shape, type, bytes or None]
        self.ops = []           # [code, inputs, outputs, options]
        self.c1_kernel = self.rnd(4 * 3 * 3 * 3)
        self.build_graph()

    def t(self, name, shape, ttype=F32, data=None):
        self.tensors.append([name, list(shape), ttype, data])
        return len(self.tensors) - 1

    def const16(self, name, shape, vals=None):
        n = 1
        for d in shape:
            n *= d
        return self.t(name, shape, F16, f16_bytes(vals or self.rnd(n)))

    def op(self, code, ins, outs, options=None):
        self.ops.append([self.codes.index(code), ins, outs, options])

    def conv(self, name, x, shape_in, oc, k, s, depthwise=False, deq=False,
             kernel=None):
        n, h, w, c = shape_in
        oh, ow = -(-h // s), -(-w // s)
        if depthwise:
            kshape = [1, k, k, c]
            oc = c
        else:
            kshape = [oc, k, k, c]
        kt = self.const16(name + "/Kernel", kshape, kernel)
        bt = self.const16(name + "/Bias", [oc])
        if deq:
            kd = self.t(name + "/Kernel_dequantize", kshape)
            self.op(tb.DEQUANTIZE, [kt], [kd])
            kt = kd
        y = self.t(name, [1, oh, ow, oc])
        if depthwise:
            self.op(tb.DEPTHWISE_CONV_2D, [x, kt, bt], [y], tb.dw_options(s))
        else:
            self.op(tb.CONV_2D, [x, kt, bt], [y], tb.conv_options(s))
        return y, [1, oh, ow, oc]

    def build_graph(self):
        x = self.t("input", [1, 128, 128, 3])
        a, sa = self.conv("conv2d", x, [1, 128, 128, 3], 4, 3, 4,
                          kernel=self.c1_kernel)
        b, sb = self.conv("depthwise_conv2d", a, sa, 4, 3, 2,
                          depthwise=True, deq=True)
        r = self.t("activation", sb)
        self.op(tb.RELU, [b], [r])
        c8, _ = self.conv("classificator_8", r, sb, 2, 1, 1)
        r8, _ = self.conv("regressor_8", r, sb, 32, 1, 1)
        p = self.t("max_pooling2d", [1, 8, 8, 4])
        self.op(tb.MAX_POOL_2D, [r], [p],
                tb.Table(("b", 1), ("i", 2), ("i", 2), ("i", 2), ("i", 2)))
        pads = self.t("channel_padding/Paddings", [4, 2], I32,
                      struct.pack("<8i", 0, 0, 0, 0, 0, 0, 0, 2))
        pc = self.t("channel_padding", [1, 8, 8, 6])
        self.op(tb.PAD, [p, pads], [pc])
        q, sq = self.conv("conv2d_1", p, [1, 8, 8, 4], 6, 1, 1)
        s = self.t("add", sq)
        self.op(tb.ADD, [pc, q], [s], tb.Table(("b", 0)))
        c16, _ = self.conv("classificator_16", s, sq, 6, 1, 1)
        r16, _ = self.conv("regressor_16", s, sq, 96, 1, 1)
        outs = []
        for src, shape in ((c8, [1, 512, 1]), (c16, [1, 384, 1]),
                           (r8, [1, 512, 16]), (r16, [1, 384, 16])):
            t = self.t("reshape_%d" % src, shape)
            self.op(tb.RESHAPE, [src], [t])
            outs.append(t)
        cls = self.t("classificators", [1, 896, 1])
        self.op(tb.CONCATENATION, outs[:2], [cls], tb.Table(("i", 1)))
        reg = self.t("regressors", [1, 896, 16])
        self.op(tb.CONCATENATION, outs[2:], [reg], tb.Table(("i", 1)))
        self.inputs, self.outputs = [x], [reg, cls]

    def build(self, ident=b"TFL3"):
        buffers = [b""]
        tensors = []
        for name, shape, ttype, data in self.tensors:
            bi = 0
            if data is not None:
                buffers.append(data)
                bi = len(buffers) - 1
            tensors.append(tb.tensor(name, shape, ttype, bi))
        ops = [tb.operator(c, i, o, opt) for c, i, o, opt in self.ops]
        return tb.serialize(tb.model(self.codes, tensors, self.inputs,
                                     self.outputs, ops, buffers), ident)

    def index(self, name):
        return [t[0] for t in self.tensors].index(name)


def read_safetensors(path):
    """(metadata, {name: (shape, array('f'))})."""
    md, tensors = modelfile.read_safetensors(path)
    out = {}
    for name, _, shape, raw in tensors:
        a = array("f")
        a.frombytes(raw)
        out[name] = (shape, a)
    return md, out


class ConvertCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tflite-convert-test-")

    def tearDown(self):
        for root, dirs, files in os.walk(self.dir, topdown=False):
            for f in files:
                os.unlink(os.path.join(root, f))
            for d in dirs:
                os.rmdir(os.path.join(root, d))
        os.rmdir(self.dir)

    def run_convert(self, data):
        src = os.path.join(self.dir, "in.tflite")
        out = os.path.join(self.dir, "out.safetensors")
        with open(src, "wb") as f:
            f.write(data)
        p = subprocess.run([sys.executable, CONVERT, src, out],
                           capture_output=True, text=True, timeout=60)
        return p, out

    def assert_fails(self, data, *needles):
        p, out = self.run_convert(data)
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = p.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("tflite-convert: error: "),
                        lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.dir)
                          if f != "in.tflite"], [])
        return lines[0]


class TestConvertValid(ConvertCase):
    def test_converts_weights_layouts_and_metadata(self):
        fx = Fixture()
        p, out = self.run_convert(fx.build())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("short_range, 128x128, 896 anchors", p.stdout)
        md, t = read_safetensors(out)
        self.assertEqual(md["architecture"], "blazeface")
        self.assertEqual(md["variant"], "short_range")
        self.assertEqual(md["input_size"], "128")
        self.assertEqual(md["anchor_strides"], "8,16,16,16")
        self.assertEqual(md["anchor_grids"], "16x16:2,8x8:6")
        self.assertEqual(md["num_anchors"], "896")
        self.assertEqual(md["keypoint_names"],
                         "right_eye,left_eye,nose_tip,mouth_center,"
                         "right_ear_tragion,left_ear_tragion")
        self.assertEqual(md["license"], "Apache-2.0")
        self.assertEqual(len(md["source_sha256"]), 64)
        self.assertEqual(md["score_tensors"],
                         "classificator_8,classificator_16")
        self.assertEqual(md["regressor_tensors"], "regressor_8,regressor_16")
        # conv weight [O,KH,KW,I] -> [O,I,KH,KW]: element (o=1, i=2, y=0,
        # x=1) comes from ((1*3+0)*3+1)*3+2
        shape, vals = t["conv2d/Kernel"]
        self.assertEqual(shape, [4, 3, 3, 3])
        self.assertEqual(vals[((1 * 3 + 2) * 3 + 0) * 3 + 1],
                         fx.c1_kernel[((1 * 3 + 0) * 3 + 1) * 3 + 2])
        self.assertEqual(t["depthwise_conv2d/Kernel"][0], [4, 1, 3, 3])
        self.assertNotIn("depthwise_conv2d/Kernel_dequantize", t)
        graph = json.loads(md["graph"])
        self.assertEqual([g["op"] for g in graph],
                         ["conv", "dwconv", "relu", "conv", "conv",
                          "maxpool2", "pad_channels", "conv", "add", "conv",
                          "conv"])
        # SAME padding: 128, k=3, s=4 -> out 32, total 31*4+3-128 < 0 -> 0;
        # 32, k=3, s=2 -> out 16, total 15*2+3-32 = 1, all of it after
        self.assertEqual(graph[0]["pad"], [0, 0, 0, 0])
        self.assertEqual(graph[1]["pad"], [0, 0, 1, 1])
        self.assertEqual(graph[0]["shape"], [4, 32, 32])
        self.assertEqual(graph[1]["weight"], "depthwise_conv2d/Kernel")

    def test_float16_values_are_exact(self):
        fx = Fixture(seed=7)
        fx.c1_kernel = [0.5, -2.0, 65504.0, 2 ** -24] + [0.0] * 104
        fx.tensors.clear()
        fx.ops.clear()
        fx.build_graph()
        p, out = self.run_convert(fx.build())
        self.assertEqual(p.returncode, 0, p.stderr)
        _, t = read_safetensors(out)
        v = t["conv2d/Kernel"][1]
        # flat index k of [O,KH,KW,I] -> [O,I,KH,KW]: k=0 (0,0,0,0) stays,
        # k=1 (i=1) -> 9, k=2 (i=2) -> 18, k=3 (x=1, i=0) -> 1
        self.assertEqual((v[0], v[9], v[18], v[1]),
                         (0.5, -2.0, 65504.0, 2 ** -24))


class TestConvertHostile(ConvertCase):
    def test_truncated_files(self):
        data = Fixture().build()
        for n in sorted(set([0, 3, 7, 8, 12, 40, 100, len(data) // 3,
                             len(data) // 2, len(data) - 100,
                             len(data) - 1])):
            with self.subTest(length=n):
                self.assert_fails(data[:n])

    def test_not_tflite(self):
        self.assert_fails(Fixture().build(ident=b"ONNX"), "TFL3",
                          "not a TFLite model")
        self.assert_fails(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "TFL3")

    def test_root_offset_outside_the_file(self):
        data = bytearray(Fixture().build())
        data[0:4] = struct.pack("<I", 0x7ffffff0)
        self.assert_fails(bytes(data), "outside the file")

    def test_huge_vector_length(self):
        fx = Fixture()
        data = bytearray(fx.build())
        # the first vector after the root table is operator_codes; find its
        # length (the number of codes) by value and make it enormous
        i = data.find(struct.pack("<I", len(fx.codes)), 8)
        data[i:i + 4] = struct.pack("<I", 0x40000000)
        self.assert_fails(bytes(data), "operator_codes")

    def test_tensor_index_out_of_range(self):
        fx = Fixture()
        fx.ops[0][1] = [0, 1, 999]
        self.assert_fails(fx.build(), "tensor index 999 out of range")

    def test_buffer_size_does_not_match_shape(self):
        fx = Fixture()
        fx.tensors[fx.index("conv2d/Bias")][3] = f16_bytes([0.0] * 3)
        self.assert_fails(fx.build(), "conv2d/Bias", "needs 8 bytes",
                          "holds 6")

    def test_weight_channels_do_not_match_input(self):
        fx = Fixture()
        k = fx.index("conv2d_1/Kernel")
        fx.tensors[k][1] = [6, 1, 1, 5]
        fx.tensors[k][3] = f16_bytes([0.0] * 30)
        self.assert_fails(fx.build(), "conv2d_1/Kernel",
                          "expects 5 input channels")

    def test_declared_output_shape_is_checked(self):
        fx = Fixture()
        fx.tensors[fx.index("conv2d")][1] = [1, 31, 32, 4]
        self.assert_fails(fx.build(), "output 'conv2d' has shape")

    def test_unsupported_operator(self):
        fx = Fixture()
        fx.codes[fx.codes.index(tb.RELU)] = 25        # SOFTMAX
        self.assert_fails(fx.build(), "SOFTMAX", "not supported")

    def test_non_finite_weight(self):
        fx = Fixture()
        fx.tensors[fx.index("regressor_8/Bias")][3] = f16_bytes(
            [float("nan")] + [0.0] * 31)
        self.assert_fails(fx.build(), "regressor_8/Bias", "non-finite")

    def test_wrong_input_size(self):
        fx = Fixture()
        fx.tensors[0][1] = [1, 96, 96, 3]
        self.assert_fails(fx.build())

    def test_output_is_input(self):
        src = os.path.join(self.dir, "m.tflite")
        with open(src, "wb") as f:
            f.write(Fixture().build())
        before = open(src, "rb").read()
        p = subprocess.run([sys.executable, CONVERT, src, src],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("the output is the input file", p.stderr)
        self.assertEqual(open(src, "rb").read(), before)


class TestFetchDetector(ConvertCase):
    def test_offline_says_what_to_get_and_writes_nothing(self):
        dest = os.path.join(self.dir, "models")
        env = dict(os.environ, NPM="false")
        p = subprocess.run(["bash", FETCH, dest], capture_output=True,
                           text=True, timeout=60, env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("npm pack @mediapipe/face_detection@0.4.1657300184",
                      p.stderr)
        self.assertIn("--tarball", p.stderr)
        self.assertFalse(os.path.exists(dest))

    def test_tarball_with_wrong_checksum_is_refused(self):
        tgz = os.path.join(self.dir, "fake.tgz")
        with tarfile.open(tgz, "w:gz") as tf:
            for name in ("face_detection_short_range.tflite",
                         "face_detection_full_range.tflite"):
                src = os.path.join(self.dir, name)
                with open(src, "wb") as f:
                    f.write(Fixture().build())
                tf.add(src, arcname="package/" + name)
        dest = os.path.join(self.dir, "models")
        p = subprocess.run(["bash", FETCH, "--tarball", tgz, dest],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("face_detection_short_range.tflite: sha256", p.stderr)
        self.assertIn("expected 3bc182eb9f33925d9e58b5c8d59308a760f4adea8f2"
                      "82370e428c51212c26633", p.stderr)
        self.assertFalse(os.path.exists(dest))


if __name__ == "__main__":
    unittest.main(verbosity=2)
