#!/usr/bin/env python3
"""Writes a model of random weights in the released layout for the
benchmarks (the timing does not depend on the values). Not a trained model.

usage: make-bench-model.py OUT.safetensors [single|multitask]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
import modelfile  # noqa: E402

if len(sys.argv) < 2:
    sys.exit(__doc__)
heads = "single" if len(sys.argv) < 3 or sys.argv[2] == "single" else \
    {"va", "expression", "au"}
k = 7 if heads == "single" else 8
meta = modelfile.default_metadata(heads, k)
meta["source"] = "random weights for benchmarking (not a trained model)"
modelfile.write_safetensors(sys.argv[1], modelfile.model_tensors(heads, k),
                            meta)
