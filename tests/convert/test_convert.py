#!/usr/bin/env python3
"""Tests of models/ddamfn-convert (and models/fetch-released.sh offline).

Standard library only: checkpoints are written by tests/lib/pthwriter.py, and,
when /usr/bin/python3 can import torch, also by torch.save() itself. Each
test names one behaviour:

  - complete checkpoints of every head layout convert to a safetensors file
    whose header, metadata, shapes and bytes are exactly as expected;
  - the state dict is found (model_state_dict, bare, 'module.' prefix),
    unknown entries are dropped, strided / shared / half / bfloat16 / double
    storages are read correctly;
  - bad input (missing tensor, wrong shape, K vs preset, thresholds) fails
    with exit 1, one message naming the problem, and no output file;
  - hostile pickles and zips: see test_convert_hostile.py.

Run: python3 tests/convert/test_convert.py
"""
import collections
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MODELS = os.path.join(TOP, "models")
CONVERT = os.path.join(MODELS, "ddamfn-convert")
FETCH = os.path.join(MODELS, "fetch-released.sh")
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, MODELS)

import ddamfn_arch  # noqa: E402
import pthwriter  # noqa: E402
from pthwriter import Storage, Tensor  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"
MULTITASK = frozenset(("va", "expression", "au"))
AFFECTNET7 = "Neutral,Happy,Sad,Surprise,Fear,Disgust,Angry"
AFFECTNET8 = AFFECTNET7 + ",Contempt"
ABAW = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other"
AU_NAMES = "AU1,AU2,AU4,AU6,AU7,AU10,AU12,AU15,AU23,AU24,AU25,AU26"
THRESHOLDS = "0.1,0.2,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.7,0.9,1"


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def le_bytes(values):
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


# ------------------------------------------------------------------ fixtures

_STATES = {}


def state(heads, k, seed):
    """Every tensor of the layout, name -> (shape, array). Generated once per
    layout and reused (the full network has about 4.2 M values)."""
    key = (heads, k, seed)
    if key not in _STATES:
        rng = random.Random(seed)
        out = collections.OrderedDict()
        for name, shape in ddamfn_arch.expected_tensors(heads, k):
            if name.endswith(".num_batches_tracked"):
                out[name] = (shape, array("q", [rng.randrange(1, 10 ** 6)]))
            else:
                a = array("f", [rng.random() - 0.5
                                 for _ in range(numel(shape))])
                out[name] = (shape, a)
        _STATES[key] = out
    return _STATES[key]


def state_dict(st, prefix="", skip=()):
    return collections.OrderedDict(
        (prefix + name, Tensor(shape, vals))
        for name, (shape, vals) in st.items() if name not in skip)


def optimizer_junk():
    return {
        "state": {0: {"step": Tensor([], array("f", [19.0])),
                      "exp_avg": Tensor([3, 2], array("f", [0.5] * 6)),
                      "momentum": [Tensor([2], array("d", [1.0, 2.0])),
                                   {"nested": (1, 2.5, None, True)}]}},
        "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "eps": 1e-8,
                          "weight_decay": 0, "amsgrad": False, "rho": 0.05,
                          "params": [0, 1, 2]}],
    }


def read_safetensors(path):
    """Returns (metadata, [(name, dtype, shape, bytes)] in header order),
    checking the container itself strictly."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert 0 < n <= len(blob) - 8, "bad header length"
    assert n % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(blob[8:8 + n].decode("utf-8"),
                        object_pairs_hook=collections.OrderedDict)
    data = blob[8 + n:]
    meta = header.pop("__metadata__", None)
    tensors = []
    end = 0
    for name, e in header.items():
        assert set(e) == {"dtype", "shape", "data_offsets"}, name
        b, en = e["data_offsets"]
        assert b == end, "tensor %s not packed" % name
        assert en - b == numel(e["shape"]) * 4, name
        tensors.append((name, e["dtype"], e["shape"], data[b:en]))
        end = en
    assert end == len(data), "data section has trailing or missing bytes"
    return meta, tensors


def expected_metadata(heads_str, preset, labels, source, thresholds=None):
    md = {"format_version": "1", "architecture": "ddamfn",
          "heads": heads_str, "label_preset": preset}
    if labels is not None:
        md["expression_labels"] = labels
    if thresholds is not None:
        md["au_names"] = AU_NAMES
        md["au_thresholds"] = thresholds
    md.update({"input_size": "112", "mean": "0.485,0.456,0.406",
               "std": "0.229,0.224,0.225", "source": source})
    return md


class ConvertTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ddamfn-convert-test-")
        self.outdir = os.path.join(self.dir, "out")
        os.mkdir(self.outdir)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def out(self, name="model.safetensors"):
        return os.path.join(self.outdir, name)

    def convert(self, pth, out, *args):
        return subprocess.run([sys.executable, CONVERT, pth, out] +
                              list(args), capture_output=True, text=True,
                              timeout=120)

    def assert_converted(self, p):
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.strip().splitlines()), 1, p.stdout)

    def assert_fails(self, p, *fragments, out=None):
        """Exit 1, exactly one 'ddamfn-convert: error:' line holding every
        fragment, and nothing left in the output directory."""
        self.assertEqual(p.returncode, 1,
                         "expected failure; stdout=%r stderr=%r"
                         % (p.stdout, p.stderr))
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("ddamfn-convert: error: "),
                        lines[0])
        for frag in fragments:
            self.assertIn(frag, lines[0])
        self.assertNotIn("Traceback", p.stderr)
        self.assertEqual(p.stdout, "")
        if out is not None:
            self.assertFalse(os.path.exists(out), "output file left behind")
        self.assertEqual(os.listdir(self.outdir), [],
                         "files left in the output directory")
        return lines[0]

    def check_model(self, out, st, md):
        """Output holds exactly st's float tensors, in architecture order,
        bit-exact, with metadata md."""
        meta, tensors = read_safetensors(out)
        self.assertEqual(meta, md)
        want = [(n, s, v) for n, (s, v) in st.items()
                if not n.endswith(".num_batches_tracked")]
        self.assertEqual([t[0] for t in tensors], [w[0] for w in want])
        for (name, dtype, shape, raw), (_, wshape, wvals) in zip(tensors,
                                                                 want):
            self.assertEqual(dtype, "F32", name)
            self.assertEqual(shape, list(wshape), name)
            self.assertEqual(raw, le_bytes(wvals), name)


# --------------------------------------------------------------- conversions

class LayoutTests(ConvertTestCase):
    """Complete checkpoints of each head layout, read back in full."""

    def full_checkpoint(self, st, name="ck.pth", **extra):
        top = {"iter": 19, "model_state_dict": state_dict(st),
               "optimizer_state_dict": optimizer_junk()}
        top.update(extra)
        pth = self.path(name)
        pthwriter.write_checkpoint(pth, top)
        return pth

    def test_single_task_k7_affectnet7(self):
        st = state("single", 7, 7)
        pth = self.full_checkpoint(st, "affecnet7_epoch19_acc0.671.pth")
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.assertIn("K=7", p.stdout)
        self.assertIn("1041 tensors", p.stdout)
        self.assertEqual(p.stderr, "")
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7,
            "affecnet7_epoch19_acc0.671.pth"))
        self.assertEqual(os.listdir(self.outdir), ["model.safetensors"])

    def test_single_task_k7_rafdb(self):
        st = state("single", 7, 7)
        pth = self.full_checkpoint(st)
        p = self.convert(pth, self.out(), "--labels", "rafdb")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "rafdb", AFFECTNET7, "ck.pth"))

    def test_single_task_k8_affectnet8(self):
        st = state("single", 8, 8)
        pth = self.full_checkpoint(st)
        p = self.convert(pth, self.out(), "--labels", "affectnet8")
        self.assert_converted(p)
        self.assertIn("K=8", p.stdout)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet8", AFFECTNET8, "ck.pth"))

    def test_multitask_va_expression_au_abaw_with_thresholds(self):
        st = state(MULTITASK, 8, 9)
        pth = self.full_checkpoint(st)
        p = self.convert(pth, self.out(), "--labels", "abaw",
                         "--au-thresholds", THRESHOLDS)
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression,va,au", "abaw", ABAW, "ck.pth", THRESHOLDS))
        names = [t[0] for t in read_safetensors(self.out())[1]]
        self.assertNotIn("fc.weight", names)
        self.assertNotIn("bn.weight", names)
        self.assertIn("custom_classifier.dense.weight", names)

    def test_card_is_stored_in_the_metadata(self):
        st = state("single", 7, 7)
        pth = self.full_checkpoint(st)
        card = self.path("card.json")
        with open(card, "w") as f:
            f.write('{ "name": "mine", "preset": "ddamfn",\n'
                    '  "input": {"box_scale": 1.25} }\n')
        p = self.convert(pth, self.out(), "--labels", "rafdb",
                         "--card", card)
        self.assert_converted(p)
        md = expected_metadata("expression", "rafdb", AFFECTNET7, "ck.pth")
        md["gst-ddamfn.card"] = ('{"name":"mine","preset":"ddamfn",'
                                 '"input":{"box_scale":1.25}}')
        self.check_model(self.out(), st, md)

    def test_card_that_is_not_a_json_object_is_refused(self):
        st = state("single", 7, 7)
        pth = self.full_checkpoint(st)
        card = self.path("card.json")
        for text, frag in (('[1, 2]', "a model card is a JSON object"),
                           ('{"name": ', "not JSON")):
            with open(card, "w") as f:
                f.write(text)
            p = self.convert(pth, self.out(), "--labels", "rafdb",
                             "--card", card)
            self.assert_fails(p, "--card", frag, out=self.out())

    def test_multitask_au_only_gets_default_thresholds(self):
        st = state(frozenset(["au"]), None, 10)
        pth = self.full_checkpoint(st)
        p = self.convert(pth, self.out(), "--labels", "abaw")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "au", "abaw", None, "ck.pth", ",".join(["0.5"] * 12)))

    def test_bare_state_dict_at_top_level(self):
        st = state("single", 7, 7)
        pth = self.path("bare.pth")
        pthwriter.write_checkpoint(pth, state_dict(st))
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "bare.pth"))

    def test_module_prefix_is_stripped(self):
        st = state("single", 7, 7)
        pth = self.path("dp.pth")
        pthwriter.write_checkpoint(
            pth, {"model_state_dict": state_dict(st, prefix="module.")})
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "dp.pth"))

    def test_bare_state_dict_with_module_prefix(self):
        st = state("single", 7, 7)
        pth = self.path("dp.pth")
        pthwriter.write_checkpoint(pth, state_dict(st, prefix="module."))
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "dp.pth"))

    def test_unknown_state_dict_entries_are_dropped(self):
        st = state("single", 7, 7)
        sd = state_dict(st)
        sd["features.0.extra.weight"] = Tensor([3], array("f", [1, 2, 3]))
        sd["conv_6_dw.conv.weight"] = Tensor([2, 2], array("f", [0] * 4))
        sd["linear.weight"] = Tensor([1], array("q", [4]))
        pth = self.path("extra.pth")
        pthwriter.write_checkpoint(pth, {"model_state_dict": sd,
                                         "optimizer_state_dict": {}})
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.assertIn("dropped 3", p.stderr)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "extra.pth"))

    def test_num_batches_tracked_may_be_absent(self):
        st = state("single", 7, 7)
        skip = {n for n in st if n.endswith("num_batches_tracked")}
        pth = self.path("nbt.pth")
        pthwriter.write_checkpoint(
            pth, {"model_state_dict": state_dict(st, skip=skip)})
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "nbt.pth"))

    def test_archive_prefix_may_have_any_name(self):
        st = state("single", 7, 7)
        pth = self.path("named.pth")
        pthwriter.write_checkpoint(pth, {"model_state_dict": state_dict(st)},
                                   prefix="affecnet7_epoch19_acc0.671")
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "named.pth"))

    def test_strided_shared_and_non_float32_storages(self):
        """fc.weight stored transposed (stride [1, 7]); fc.bias a view at an
        offset into a shared storage; bn.* in float64, float16, bfloat16."""
        st = collections.OrderedDict(state("single", 7, 7))
        sd = state_dict(st)
        k = 7
        # fc.weight [7, 512] as the transpose of a [512, 7] storage.
        fcw = st["fc.weight"][1]
        t_storage = array("f", [0.0] * (k * 512))
        for r in range(k):
            for c in range(512):
                t_storage[c * k + r] = fcw[r * 512 + c]
        sd["fc.weight"] = Tensor([k, 512], t_storage, stride=[1, k])
        # fc.bias and bn.bias: two views of one storage.
        shared = Storage.from_array(array("f", [9.0] * 3) +
                                    st["fc.bias"][1] + st["bn.bias"][1])
        sd["fc.bias"] = Tensor([k], shared, offset=3)
        sd["bn.bias"] = Tensor([k], shared, offset=3 + k)
        # Exactly representable values in the narrower types.
        vals = [0.5, -1.25, 3.0, 0.0, -0.0078125, 96.0, 1.5]
        st["bn.weight"] = ([k], array("f", vals))
        sd["bn.weight"] = Tensor([k], array("d", vals))
        st["bn.running_mean"] = ([k], array("f", vals))
        sd["bn.running_mean"] = Tensor([k], Storage(
            "HalfStorage", struct.pack("<%de" % k, *vals)))
        st["bn.running_var"] = ([k], array("f", vals))
        bf = array("f", vals)
        sd["bn.running_var"] = Tensor([k], Storage(
            "BFloat16Storage", b"".join(
                struct.pack("<I", struct.unpack("<I", struct.pack(
                    "<f", v))[0] >> 16)[:2] for v in bf)))
        pth = self.path("views.pth")
        pthwriter.write_checkpoint(pth, {"model_state_dict": sd})
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "views.pth"))

    def test_existing_output_is_replaced(self):
        st = state("single", 7, 7)
        pth = self.full_checkpoint(st)
        with open(self.out(), "wb") as f:
            f.write(b"old")
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        self.check_model(self.out(), st, expected_metadata(
            "expression", "affectnet7", AFFECTNET7, "ck.pth"))
        self.assertEqual(os.listdir(self.outdir), ["model.safetensors"])


# ------------------------------------------------------------- refused input

class InputErrorTests(ConvertTestCase):
    def write(self, sd, name="bad.pth", top=None):
        pth = self.path(name)
        pthwriter.write_checkpoint(pth, top if top is not None
                                   else {"model_state_dict": sd})
        return pth

    def test_missing_tensor(self):
        st = state("single", 7, 7)
        name = "features.5.model.3.CA.conv2.bias"
        pth = self.write(state_dict(st, skip={name}))
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_fails(p, name, "missing", out=self.out())

    def test_wrong_shape(self):
        st = state("single", 7, 7)
        sd = state_dict(st)
        name = "features.7.model.2.conv_dw.mixed_depthwise_conv.1.weight"
        sd[name] = Tensor([170, 1, 3, 3], array("f", [0.0] * 1530))
        pth = self.write(sd)
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_fails(p, name, "[170, 1, 3, 3]", "[170, 1, 5, 5]",
                          out=self.out())

    def test_integer_dtype_for_a_weight(self):
        st = state("single", 7, 7)
        sd = state_dict(st)
        sd["fc.bias"] = Tensor([7], array("q", range(7)))
        p = self.convert(self.write(sd), self.out(), "--labels",
                         "affectnet7")
        self.assert_fails(p, "fc.bias", "int64", out=self.out())

    def test_k_does_not_match_the_preset(self):
        st = state("single", 8, 8)
        pth = self.write(state_dict(st))
        for preset in ("affectnet7", "rafdb"):
            p = self.convert(pth, self.out(), "--labels", preset)
            self.assert_fails(p, "8 expression classes", preset, "7 labels",
                              out=self.out())
        st = state("single", 7, 7)
        pth = self.write(state_dict(st), "k7.pth")
        for preset in ("affectnet8", "abaw"):
            p = self.convert(pth, self.out(), "--labels", preset)
            self.assert_fails(p, "7 expression classes", preset, "8 labels",
                              out=self.out())

    def test_failure_keeps_an_existing_output(self):
        st = state("single", 8, 8)
        pth = self.write(state_dict(st))
        with open(self.out(), "wb") as f:
            f.write(b"previous model")
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assertEqual(p.returncode, 1)
        with open(self.out(), "rb") as f:
            self.assertEqual(f.read(), b"previous model")
        self.assertEqual(os.listdir(self.outdir), ["model.safetensors"])

    def test_bad_au_thresholds(self):
        st = state(MULTITASK, 8, 9)
        pth = self.write(state_dict(st))
        cases = [
            (",".join(["0.5"] * 11), "12", "got 11"),
            (",".join(["0.5"] * 13), "12", "got 13"),
            (",".join(["0.5"] * 11 + ["1.5"]), "value 12", "[0, 1]"),
            (",".join(["-0.1"] + ["0.5"] * 11), "value 1", "[0, 1]"),
            (",".join(["0.5"] * 5 + ["x"] + ["0.5"] * 6), "value 6",
             "not a number"),
            (",".join(["nan"] + ["0.5"] * 11), "value 1", "[0, 1]"),
        ]
        for text, *frags in cases:
            p = self.convert(pth, self.out(), "--labels", "abaw",
                             "--au-thresholds=" + text)
            self.assert_fails(p, "--au-thresholds", *frags, out=self.out())

    def test_au_thresholds_without_au_head(self):
        st = state("single", 7, 7)
        pth = self.write(state_dict(st))
        p = self.convert(pth, self.out(), "--labels", "affectnet7",
                         "--au-thresholds", ",".join(["0.5"] * 12))
        self.assert_fails(p, "--au-thresholds", "no AU head", out=self.out())

    def test_unknown_preset_and_missing_labels(self):
        st = state("single", 7, 7)
        pth = self.write(state_dict(st))
        p = self.convert(pth, self.out(), "--labels", "ferplus")
        self.assert_fails(p, "ferplus", out=self.out())
        p = self.convert(pth, self.out())
        self.assert_fails(p, "--labels", out=self.out())

    def test_no_state_dict_lists_top_level_keys(self):
        pth = self.write(None, top={"epoch": 3, "weights_of_something": {},
                                    "optimizer": []})
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_fails(p, "model_state_dict", "epoch",
                          "weights_of_something", "optimizer",
                          out=self.out())

    def test_no_classifier_head(self):
        st = state("single", 7, 7)
        sd = state_dict(st, skip={"fc.weight", "fc.bias"})
        p = self.convert(self.write(sd), self.out(), "--labels",
                         "affectnet7")
        self.assert_fails(p, "no classifier head", out=self.out())

    def test_missing_input_file(self):
        p = self.convert(self.path("nope.pth"), self.out(), "--labels",
                         "affectnet7")
        self.assert_fails(p, "nope.pth", out=self.out())


# ---------------------------------------------------- real torch.save files

TORCH_SCRIPT = r"""
import collections, sys
from array import array
import torch
sys.path.insert(0, sys.argv[1])
import ddamfn_arch
out, ref = sys.argv[2], sys.argv[3]
torch.manual_seed(1234)
sd = collections.OrderedDict()
for name, shape in ddamfn_arch.expected_tensors("single", 7):
    if name.endswith("num_batches_tracked"):
        sd[name] = torch.tensor(17, dtype=torch.long)
    elif name == "fc.weight":
        sd[name] = torch.randn(512, 7).t()            # non-contiguous view
    elif name == "bn.running_mean":
        sd[name] = torch.randn(7).double()           # float64 storage
    elif name == "features.0.prelu.weight":
        sd[name] = torch.nn.Parameter(torch.randn(64))   # a Parameter
    else:
        sd[name] = torch.randn(*shape)
sd._metadata = collections.OrderedDict([("", {"version": 1}),
                                        ("bn", {"version": 2})])
model = torch.nn.Linear(3, 2)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
model(torch.randn(4, 3)).sum().backward()
opt.step()
torch.save({"iter": 19, "model_state_dict": sd,
            "optimizer_state_dict": opt.state_dict()}, out)
with open(ref, "wb") as f:
    for name, t in sd.items():
        if name.endswith("num_batches_tracked"):
            continue
        vals = array("f", t.detach().float().flatten().tolist())
        if sys.byteorder != "little":
            vals.byteswap()
        f.write(vals.tobytes())
"""


def system_torch_available():
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", "import torch"],
                              capture_output=True, timeout=120
                              ).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class TorchSaveTests(ConvertTestCase):
    def test_checkpoint_written_by_torch_save(self):
        if not system_torch_available():
            self.skipTest("torch is not importable by %s: the torch.save() "
                          "round trip is not tested" % SYSTEM_PYTHON)
        pth = self.path("affecnet7_epoch19_acc0.671.pth")
        ref = self.path("ref.bin")
        p = subprocess.run([SYSTEM_PYTHON, "-c", TORCH_SCRIPT, MODELS, pth,
                            ref], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_converted(p)
        meta, tensors = read_safetensors(self.out())
        self.assertEqual(meta, expected_metadata(
            "expression", "affectnet7", AFFECTNET7,
            "affecnet7_epoch19_acc0.671.pth"))
        want = [(n, s) for n, s in ddamfn_arch.expected_tensors("single", 7)
                if not n.endswith("num_batches_tracked")]
        self.assertEqual([(t[0], t[2]) for t in tensors], want)
        with open(ref, "rb") as f:
            self.assertEqual(b"".join(t[3] for t in tensors), f.read())


# --------------------------------------------------------- fetch-released.sh

class FetchReleasedTests(unittest.TestCase):
    FILES = (("affecnet7_epoch19_acc0.671.pth", 7),
             ("affecnet8_epoch25_acc0.6469.pth", 8),
             ("rafdb_epoch20_acc0.9204_bacc0.8617.pth", 7))

    def setUp(self):
        if shutil.which("bash") is None or shutil.which("curl") is None:
            self.skipTest("bash and curl are needed")
        self.dir = tempfile.mkdtemp(prefix="ddamfn-fetch-test-")
        self.dest = os.path.join(self.dir, "released")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fetch(self, base, *extra):
        env = dict(os.environ, DDAMFN_FETCH_BASE_URLS=base,
                   PYTHON=sys.executable)
        return subprocess.run(["bash", FETCH, self.dest] + list(extra),
                              capture_output=True, text=True, timeout=300,
                              env=env)

    def assert_manual_instructions(self, p):
        self.assertEqual(p.returncode, 2, p.stderr)
        for f, _ in self.FILES:
            self.assertIn(f, p.stderr)
        self.assertIn("SainingZhang/DDAMFN", p.stderr)
        self.assertIn("DDAMFN++/checkpoints_ver2.0", p.stderr)
        self.assertIn(self.dest, p.stderr)
        self.assertIn("No placeholder", p.stderr)
        left = [n for n in os.listdir(self.dest) if n != "SHA256SUMS"]
        self.assertEqual(left, [])

    def test_offline_prints_what_to_download_and_exits_2(self):
        p = self.fetch("file://%s/unreachable" % self.dir)
        self.assert_manual_instructions(p)

    def test_lfs_pointer_is_not_accepted(self):
        src = os.path.join(self.dir, "src")
        os.mkdir(src)
        for f, _ in self.FILES:
            with open(os.path.join(src, f), "w") as fh:
                fh.write("version https://git-lfs.github.com/spec/v1\n"
                         "oid sha256:%s\nsize 17000000\n" % ("0" * 64))
        p = self.fetch("file://" + src)
        self.assertIn("not a zip", p.stderr)
        self.assert_manual_instructions(p)

    def test_download_verify_convert_and_recheck(self):
        src = os.path.join(self.dir, "src")
        os.mkdir(src)
        for f, k in self.FILES:
            pthwriter.write_checkpoint(os.path.join(src, f), {
                "iter": 1, "model_state_dict": state_dict(state("single", k,
                                                                k))})
        p = self.fetch("file://%s/missing file://%s" % (self.dir, src))
        self.assertEqual(p.returncode, 0, p.stderr)
        for f, _ in self.FILES:
            out = os.path.join(self.dest, f[:-4] + ".safetensors")
            meta, _ = read_safetensors(out)
            self.assertEqual(meta["source"], f)
        with open(os.path.join(self.dest, "SHA256SUMS")) as fh:
            sums = fh.read().split("\n")
        self.assertEqual(sorted(line.split()[1] for line in sums if line),
                         sorted(f for f, _ in self.FILES))
        # Present files are re-verified, not downloaded again; --install
        # puts the conversions into the data directory under their presets'
        # names (the default model is affectnet8.safetensors).
        models = os.path.join(self.dir, "prefix", "share", "gst-ddamfn",
                              "models")
        p = self.fetch("file://%s/unreachable" % self.dir, "--install", models)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(models)),
                         ["affectnet7.safetensors", "affectnet8.safetensors",
                          "rafdb.safetensors"])
        for preset, (f, k) in zip(("affectnet7", "affectnet8", "rafdb"),
                                  self.FILES):
            meta, _ = read_safetensors(os.path.join(models,
                                                    preset + ".safetensors"))
            self.assertEqual(meta["source"], f)
            self.assertEqual(len(meta["expression_labels"].split(",")), k)
        # A file that changed since its sum was recorded is refused.
        pthwriter.write_checkpoint(
            os.path.join(self.dest, self.FILES[0][0]),
            {"model_state_dict": state_dict(state("single", 7, 99))})
        p = self.fetch("file://%s/unreachable" % self.dir)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("does not match", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
