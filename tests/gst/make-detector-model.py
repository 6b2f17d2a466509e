#!/usr/bin/env python3
"""Writes a small BlazeFace-shaped detector model for the element tests: the
synthetic 128×128 graph of tests/lib/tflite_builder.py (random float16
weights, the short-range anchor layout) converted by models/tflite-convert.
Not a trained model: its detections are arbitrary but deterministic.

usage: make-detector-model.py OUT.safetensors
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "convert"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from test_tflite_convert import Fixture  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "fixture.tflite")
        with open(src, "wb") as f:
            f.write(Fixture(seed=5).build())
        subprocess.run([sys.executable,
                        os.path.join(HERE, "..", "..", "models",
                                     "tflite-convert"), src, sys.argv[1]],
                       check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
