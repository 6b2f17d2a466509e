#!/usr/bin/env python3
"""The engine's layer plan against the converter's architecture table: for
every model kind (single-task fc with 7 and 8 classes, multitask with all
heads and with subsets), `ddamfn-infer --print-plan` prints one line per
step and a FLOP total equal to models/ddamfn_arch.py's; and the session
runs large batches in bounded scratch (test-batch).

usage: test_plan.py PATH/TO/ddamfn-infer PATH/TO/test-batch WORKDIR
"""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models"))
import ddamfn_arch  # noqa: E402
import modelfile  # noqa: E402

INFER = BATCH = WORK = None

KINDS = [
    ("single7", "single", 7),
    ("single8", "single", 8),
    ("multitask", {"va", "expression", "au"}, 8),
    ("va-only", {"va"}, None),
    ("au-expr9", {"au", "expression"}, 9),
]


def write_model(name, heads, k):
    path = os.path.join(WORK, name + ".safetensors")
    if not os.path.exists(path):
        modelfile.write_safetensors(
            path, modelfile.model_tensors(heads, k, seed=3),
            modelfile.default_metadata(heads, k))
    return path


def print_plan(path):
    r = subprocess.run([INFER, "--print-plan", path], capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError("--print-plan failed: %s" % r.stderr)
    return r.stdout


class Plan(unittest.TestCase):
    def check_kind(self, name, heads, k):
        out = print_plan(write_model(name, heads, k))
        lines = out.splitlines()
        m = re.match(r"plan of ddamfn: (\d+) steps$", lines[0])
        self.assertIsNotNone(m, lines[0])
        steps = [ln for ln in lines[1:] if re.match(r"\s*\d+ ", ln)]
        self.assertEqual(len(steps), int(m.group(1)))
        total = re.search(r"^total FLOPs per face: (\d+)$", out, re.M)
        self.assertIsNotNone(total, out[-300:])
        self.assertEqual(int(total.group(1)), ddamfn_arch.flops(heads, k))
        # the per-step FLOPs add up to the total
        per_step = [int(re.search(r"\| (\d+) FLOPs$", ln).group(1))
                    for ln in steps]
        self.assertEqual(sum(per_step), int(total.group(1)))
        return steps

    def test_single_task_7(self):
        steps = self.check_kind(*KINDS[0])
        self.assertIn("fc", steps[-1])

    def test_single_task_8(self):
        self.check_kind(*KINDS[1])

    def test_multitask_all_heads(self):
        steps = self.check_kind(*KINDS[2])
        names = [s.split()[2] for s in steps]
        self.assertEqual(names[-4:], [
            "custom_classifier.dense", "custom_classifier.val_arousal",
            "custom_classifier.emotions", "custom_classifier.actions"])

    def test_multitask_subsets(self):
        self.check_kind(*KINDS[3])
        self.check_kind(*KINDS[4])

    def test_fusions_are_stated(self):
        out = print_plan(write_model(*KINDS[2]))
        # the depthwise pieces apply the expand conv's bias and PReLU and
        # pool for CoordAtt; the residual project accumulates in place
        dw = [ln for ln in out.splitlines()
              if "features.3.model.0.conv_dw.mixed_depthwise_conv.0" in ln]
        self.assertEqual(len(dw), 1)
        self.assertIn("in: bias prelu", dw[0])
        self.assertIn("CoordAtt mean pooling", dw[0])
        proj = [ln for ln in out.splitlines()
                if " features.3.model.0.project " in ln]
        self.assertEqual(len(proj), 1)
        self.assertIn("accumulate", proj[0])
        self.assertIn("folded into the stream's readers", proj[0])
        # 34 MixDW blocks: 1 + 9 + 1 + 16 + 1 + 6
        self.assertEqual(len(re.findall(r"coord-apply", out)), 34)

    def test_large_batch_in_chunks(self):
        r = subprocess.run([BATCH, write_model(*KINDS[2])],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


def main():
    global INFER, BATCH, WORK
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    INFER, BATCH, WORK = sys.argv[1:4]
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=sys.argv[:1], verbosity=2)


if __name__ == "__main__":
    main()
