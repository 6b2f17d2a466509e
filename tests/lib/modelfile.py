"""Test fixtures: write safetensors model files with the standard library.

Used by the loader tests to build valid models and then break them in
controlled ways. Tensor values come from random.Random(seed) so a fixture is
reproducible; they are not meant to be realistic (the parity tests use
tests/parity/reference/weights.py for that).
"""
import json
import os
import random
import struct
import sys
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models"))
import ddamfn_arch  # noqa: E402


def write_safetensors(path, tensors, metadata=None, header_len=None,
                      header_bytes=None):
    """tensors: list of (name, dtype, shape, raw bytes). Returns the header
    dict. header_len / header_bytes override what is written (to break it)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hb = header_bytes if header_bytes is not None else \
        json.dumps(header).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", header_len if header_len is not None
                            else len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)
    return header


def read_safetensors(path):
    """Returns (metadata, [(name, dtype, shape, raw bytes)] in data
    order) of a file write_safetensors (or a converter) wrote."""
    with open(path, "rb") as f:
        d = f.read()
    n = struct.unpack("<Q", d[:8])[0]
    header = json.loads(d[8:8 + n])
    data = d[8 + n:]
    md = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    return md, [(k, v["dtype"], v["shape"],
                 data[v["data_offsets"][0]:v["data_offsets"][1]])
                for k, v in entries]


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def model_tensors(heads, n_expr, seed=1, keep_batches_tracked=False):
    """Every tensor of the released layout, as (name, dtype, shape, bytes).
    Values are small and positive variances stay positive."""
    rng = random.Random(seed)
    out = []
    for name, shape in ddamfn_arch.expected_tensors(heads, n_expr):
        if name.endswith("num_batches_tracked"):
            if keep_batches_tracked:
                out.append((name, "I64", list(shape),
                            struct.pack("<q", 1000)))
            continue
        n = numel(shape)
        if name.endswith("running_var"):
            vals = [0.5 + rng.random() for _ in range(n)]
        else:
            vals = [rng.uniform(-0.1, 0.1) for _ in range(n)]
        out.append((name, "F32", list(shape), array("f", vals).tobytes()))
    return out


def default_metadata(heads, n_expr):
    md = {"format_version": "1", "architecture": "ddamfn",
          "input_size": "112", "mean": "0.485,0.456,0.406",
          "std": "0.229,0.224,0.225"}
    if heads == "single":
        md["heads"] = "expression"
    else:
        md["heads"] = ",".join(h for h in ("expression", "va", "au")
                               if h in heads)
    return md
