#!/usr/bin/env python3
"""Broken model files: each one must make ddamfn-infer exit non-zero with a
one-line message naming the problem, with no invalid memory access and no
leak under valgrind (when valgrind is installed).

usage: test_model_errors.py PATH/TO/ddamfn-infer WORKDIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import unittest
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import modelfile  # noqa: E402

INFER = None
WORK = None
VALGRIND = shutil.which("valgrind")
# valgrind has no AVX-512; keep OpenBLAS on kernels valgrind can run.
ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1", OPENBLAS_CORETYPE="Haswell")
VALGRIND_ERR = 97


def run_infer(model, raw, valgrind=True):
    cmd = [INFER, "--model", model, "--raw", raw]
    if valgrind and VALGRIND:
        cmd = [VALGRIND, "-q", "--error-exitcode=%d" % VALGRIND_ERR,
               "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV,
                          timeout=900)


class BrokenModels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tensors = modelfile.model_tensors("single", 7, seed=3)
        cls.meta = modelfile.default_metadata("single", 7)
        cls.raw = os.path.join(WORK, "one-face.raw")
        with open(cls.raw, "wb") as f:
            f.write(array("f", [0.25] * (3 * 112 * 112)).tobytes())
        cls.good = cls.path("good")
        modelfile.write_safetensors(cls.good, cls.tensors, cls.meta)

    @staticmethod
    def path(name):
        return os.path.join(WORK, name + ".safetensors")

    def assert_refused(self, model, *fragments):
        r = run_infer(model, self.raw)
        self.assertNotEqual(r.returncode, VALGRIND_ERR,
                            "valgrind reported errors:\n" + r.stderr)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("ddamfn-infer: "), lines[0])
        for frag in fragments:
            self.assertIn(frag, lines[0])

    def replace(self, name, **changes):
        out = []
        for t in self.tensors:
            if t[0] == name:
                t = (t[0], changes.get("dtype", t[1]),
                     changes.get("shape", t[2]), changes.get("raw", t[3]))
            out.append(t)
        return out

    def test_valid_model_runs(self):
        r = run_infer(self.good, self.raw)
        self.assertEqual(r.returncode, 0, r.stderr)
        rec = json.loads(r.stdout)
        self.assertEqual(rec["face"], 0)
        self.assertEqual(len(rec["expression_probs"]), 7)
        self.assertAlmostEqual(sum(rec["expression_probs"]), 1.0, places=5)
        self.assertIn(rec["expression"], ["Neutral", "Happy", "Sad",
                                          "Surprise", "Fear", "Disgust",
                                          "Angry"])

    def test_missing_file(self):
        self.assert_refused(self.path("does-not-exist"), "cannot open model",
                            "No such file")

    def test_empty_file(self):
        p = self.path("empty")
        open(p, "wb").close()
        self.assert_refused(p, "too short for a safetensors header")

    def test_truncated_file(self):
        p = self.path("truncated")
        with open(self.good, "rb") as f:
            data = f.read()
        with open(p, "wb") as f:
            f.write(data[:len(data) - 4])
        # Only the last tensor's bytes reach past the new end.
        last = self.tensors[-1][0]
        self.assert_refused(p, "tensor '%s'" % last,
                            "outside the data section")

    def test_header_length_beyond_file(self):
        p = self.path("hdrlen")
        modelfile.write_safetensors(p, self.tensors, self.meta,
                                    header_len=1 << 40)
        self.assert_refused(p, "header length 1099511627776",
                            "does not fit in the file")

    def test_bad_json(self):
        p = self.path("badjson")
        hb = b'{"__metadata__": {"format_version": "1"}, "x": [1, 2'
        modelfile.write_safetensors(p, [], header_bytes=hb + b"}" * 2)
        self.assert_refused(p, "header is not valid JSON")

    def test_header_not_an_object(self):
        p = self.path("notobj")
        modelfile.write_safetensors(p, [], header_bytes=b'["a", 1]')
        self.assert_refused(p, "header does not start with a JSON object")

    def test_overlapping_tensors(self):
        # the second running_var reuses the first one's bytes
        p = self.path("overlap")
        header = modelfile.write_safetensors(p, self.tensors, self.meta)
        size = {t[0]: len(t[3]) for t in self.tensors}
        names = [t[0] for t in self.tensors if t[0].endswith("running_var")]
        a = names[0]
        b = [n for n in names[1:] if size[n] == size[a]][0]
        header[b]["data_offsets"] = list(header[a]["data_offsets"])
        modelfile.write_safetensors(p, self.tensors,
                                    header_bytes=json.dumps(header).encode())
        begin, end = header[a]["data_offsets"]
        self.assert_refused(p, "overlap: each tensor must have bytes of its "
                            "own", "'%s'" % a, "'%s'" % b,
                            "(bytes [%d, %d))" % (begin, end))

    def test_weights_that_overflow_when_folded(self):
        # every value finite (3e38 < FLT_MAX) but BatchNorm folding
        # multiplies them past float's range
        p = self.path("overflow")
        big = [(n, d, sh, array("f", [3e38] * (len(raw) // 4)).tobytes())
               for n, d, sh, raw in self.tensors]
        modelfile.write_safetensors(p, big, self.meta)
        self.assert_refused(p, "tensor 'features.0.conv.weight' (with "
                            "BatchNorm 'features.0.bn' folded in) overflows "
                            "float at output channel 0")

    def test_missing_tensor(self):
        name = "features.5.model.7.project.bn.running_var"
        p = self.path("missing")
        modelfile.write_safetensors(
            p, [t for t in self.tensors if t[0] != name], self.meta)
        self.assert_refused(p, "missing tensor '%s'" % name)

    def test_wrong_shape(self):
        name = "features.3.model.2.CA.conv1.weight"
        p = self.path("shape")
        modelfile.write_safetensors(
            p, self.replace(name, shape=[8, 64, 2, 1]), self.meta)
        self.assert_refused(p, "tensor '%s' has shape [8, 64, 2, 1]" % name,
                            "expected [8, 128, 1, 1]")

    def test_wrong_dtype(self):
        name = "features.0.conv.weight"
        raw = [t for t in self.tensors if t[0] == name][0][3]
        p = self.path("dtype")
        modelfile.write_safetensors(
            p, self.replace(name, dtype="F16", raw=raw[:len(raw) // 2]),
            self.meta)
        self.assert_refused(p, "tensor '%s' has dtype F16, expected F32"
                            % name)

    def test_size_disagrees_with_shape(self):
        name = "fc.bias"
        p = self.path("size")
        modelfile.write_safetensors(
            p, self.replace(name, raw=b"\0" * 24), self.meta)
        self.assert_refused(p, "tensor '%s'" % name, "24 bytes stored",
                            "need 28")

    def test_non_finite_weight(self):
        name = "features.7.model.1.conv_dw.mixed_depthwise_conv.2.weight"
        raw = bytearray([t for t in self.tensors if t[0] == name][0][3])
        raw[8:12] = struct.pack("<f", float("nan"))
        p = self.path("nan")
        modelfile.write_safetensors(p, self.replace(name, raw=bytes(raw)),
                                    self.meta)
        self.assert_refused(p, "tensor '%s' holds a non-finite value at "
                            "element 2" % name)

    def test_negative_variance(self):
        name = "features.1.bn.running_var"
        p = self.path("negvar")
        modelfile.write_safetensors(
            p, self.replace(name, raw=array("f", [-1.0] * 64).tobytes()),
            self.meta)
        self.assert_refused(p, "'features.1.bn.running_var' has a negative "
                            "variance")

    def test_labels_disagree_with_head(self):
        p = self.path("labels")
        meta = dict(self.meta, expression_labels="a,b,c")
        modelfile.write_safetensors(p, self.tensors, meta)
        self.assert_refused(p, "metadata 'expression_labels'",
                            "expected 7 non-empty labels")

    def test_heads_disagree_with_tensors(self):
        p = self.path("heads")
        meta = dict(self.meta, heads="va,expression")
        modelfile.write_safetensors(p, self.tensors, meta)
        self.assert_refused(p, "metadata 'heads'",
                            "does not match the head tensors")

    def test_wrong_architecture(self):
        p = self.path("arch")
        meta = dict(self.meta, architecture="resnet50")
        modelfile.write_safetensors(p, self.tensors, meta)
        self.assert_refused(p, "metadata 'architecture'", "expected \"ddamfn\"")

    def test_normalization_beyond_float(self):
        """Found by the loader fuzzer: values finite as doubles but not as
        floats, or a std so small that every pixel overflows, turned every
        face into infinities instead of being refused."""
        cases = [
            ("std", "1e39,0.2,0.2", "expected 3 comma-separated numbers > 0"),
            ("mean", "0.5,-1e39,0.5", "expected 3 comma-separated numbers"),
            ("std", "1e-40,0.2,0.2", "beyond the float range"),
            ("mean", "1e38,0.5,0.5", "beyond the float range"),
        ]
        for i, (key, value, want) in enumerate(cases):
            with self.subTest(key=key, value=value):
                p = self.path("norm%d" % i)
                meta = dict(self.meta, **{key: value})
                modelfile.write_safetensors(p, self.tensors, meta)
                self.assert_refused(p, "metadata '%s'" % key, want)

    def test_no_head(self):
        p = self.path("nohead")
        modelfile.write_safetensors(
            p, [t for t in self.tensors if not t[0].startswith("fc.")], {})
        self.assert_refused(p, "missing tensor 'fc.weight'", "no output head")

    def test_bare_released_names_load(self):
        """No metadata, a DataParallel 'module.' prefix and int64
        num_batches_tracked, as a plain state-dict export: loads, and
        answers exactly as the converted file."""
        bare = [("module." + n, d, s, r) for n, d, s, r in
                modelfile.model_tensors("single", 7, seed=3,
                                        keep_batches_tracked=True)]
        p = self.path("bare")
        modelfile.write_safetensors(p, bare, None)
        r1 = run_infer(p, self.raw)
        r2 = run_infer(self.good, self.raw, valgrind=False)
        self.assertEqual(r1.returncode, 0, r1.stderr)
        self.assertEqual(json.loads(r1.stdout), json.loads(r2.stdout))


def main():
    global INFER, WORK
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    INFER = os.path.abspath(sys.argv[1])
    WORK = sys.argv[2]
    os.makedirs(WORK, exist_ok=True)
    if not VALGRIND:
        print("valgrind not found: running without it")
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])


if __name__ == "__main__":
    main()
