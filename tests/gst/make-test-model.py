#!/usr/bin/env python3
"""Writes a DDAMFN model for the element tests: the deterministic,
non-trivial weights of the parity test (tests/parity/reference/weights.py), whose
outputs depend on the input face, unlike the bench models whose outputs are
nearly constant. Standard library only.

usage: make-test-model.py OUT.safetensors multitask|single
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "parity", "reference"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models"))
import ddamfn_arch  # noqa: E402
import modelfile  # noqa: E402
import weights  # noqa: E402

DTYPES = {"f": "F32", "d": "F64", "q": "I64", "l": "I64", "i": "I32"}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("multitask", "single"):
        sys.exit(__doc__)
    if sys.argv[2] == "multitask":
        heads, k, seed = {"va", "expression", "au"}, 8, 9003
    else:
        heads, k, seed = "single", 7, 7009
    state = weights.make_state(heads, k, seed)
    tensors = []
    for name, (shape, vals) in state.items():
        if sys.byteorder != "little":
            vals = type(vals)(vals.typecode, vals)
            vals.byteswap()
        tensors.append((name, DTYPES[vals.typecode], list(shape),
                        vals.tobytes()))
    meta = modelfile.default_metadata(heads, k)
    # the element tests read AffectNet names off this model (a multitask
    # file without labels would get the ABAW ones)
    meta["expression_labels"] = ",".join(
        ddamfn_arch.LABEL_PRESETS["affectnet8" if k == 8 else "affectnet7"])
    meta["source"] = "gst-ddamfn element tests: parity weights, seed %d " \
        "(not a trained model)" % seed
    tmp = sys.argv[1] + ".tmp"
    modelfile.write_safetensors(tmp, tensors, meta)
    os.replace(tmp, sys.argv[1])


if __name__ == "__main__":
    main()
