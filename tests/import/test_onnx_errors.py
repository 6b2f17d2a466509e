#!/usr/bin/env python3
"""Malformed and unsupported ONNX files get one clear error each, at load
time: each case breaks one thing in the every-operator graph of
make_onnx_ops.py (or is raw bytes), and graph-run must exit 1 with one
line naming the file and the problem (and, for a node's problem, the
node), never crash. Truncations at many points and random byte changes
must each give an error (valid UTF-8) or a model that runs, never a crash.

With --corpus DIR it also writes every case into DIR, as fuzz seeds.

usage: test_onnx_errors.py GRAPH_RUN WORKDIR [--corpus DIR]
Exits 77 without PyTorch and the onnx package.
"""
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    import numpy as np
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)


def node(m, op, i=0):
    return [n for n in m.graph.node if n.op_type == op][i]


def init(m, name):
    return next(t for t in m.graph.initializer if t.name == name)


def conv_weight(m):
    return init(m, node(m, "Conv", 1).input[1])


def case_unsupported_op(m):
    node(m, "Tanh").op_type = "Cos"
    return "ONNX operator 'Cos' (node '%s') is not supported" % \
        node(m, "Cos").name


def case_undefined_input(m):
    node(m, "Tanh").input[0] = "nowhere"
    return "input 'nowhere' is not produced by an earlier node"


def case_external_data(m):
    t = conv_weight(m)
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "weights.bin"
    return "keeps its data in an external file"


def case_short_raw_data(m):
    t = conv_weight(m)
    t.raw_data = t.raw_data[:-4]
    return "bytes of data for"


def case_string_tensor(m):
    t = conv_weight(m)
    t.ClearField("raw_data")
    t.data_type = TensorProto.STRING
    t.string_data.append(b"x")
    return "data type 8"


def case_weight_not_constant(m):
    c = node(m, "Conv", 1)
    c.input[1] = c.input[0]
    return "only 2-D convolutions with constant weights"


def case_dilated_conv(m):
    c = node(m, "Conv", 0)
    for a in c.attribute:
        if a.name == "dilations":
            a.ints[:] = [2, 2]
    return "dilations other than 1"


def case_grouped_conv(m):
    c = node(m, "Conv", 2)             # the 3 x 5 conv: 12 -> 12
    w = init(m, c.input[1])
    arr = numpy_helper.to_array(w)[:, :4]
    w.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(arr), w.name))
    for a in c.attribute:
        if a.name == "group":
            a.i = 3
    return "grouped convolution that is not depthwise"


def case_bad_transpose(m):
    t = node(m, "Transpose")
    del t.attribute[:]
    t.attribute.append(helper.make_attribute("perm", [0, 2, 1, 3]))
    return "only the transpose that swaps H and W"


def case_reduce_over_channels(m):
    r = node(m, "ReduceMean")
    for a in r.attribute:
        if a.name == "axes":
            a.ints[:] = [1]
    return "only the mean over H, W or both"


def case_concat_rows_mismatch(m):
    # along H, the inputs must agree in channels (these have 6, 6 and 4)
    for a in node(m, "Concat").attribute:
        if a.name == "axis":
            a.i = 2
    return "inputs of different channels or widths"


def case_split_rows_too_many(m):
    # its sizes (16 channels' worth) split 9 rows along H
    for a in node(m, "Split").attribute:
        if a.name == "axis":
            a.i = 2
    return "split sizes that exceed its 9 rows"


def case_old_opset(m):
    m.opset_import[0].version = 3
    return "operator set 3"


def case_other_domain(m):
    node(m, "Tanh").domain = "com.example"
    return "an operator of another domain"


def case_two_inputs(m):
    m.graph.input.append(helper.make_tensor_value_info(
        "second", TensorProto.FLOAT, [1, 3, 4, 4]))
    return "more than one input"


def case_input_unknown_size(m):
    d = m.graph.input[0].type.tensor_type.shape.dim[2]
    d.ClearField("dim_value")
    d.dim_param = "H"
    return "dimension 2 is -1 (only the batch may be unknown)"


def case_missing_output(m):
    m.graph.output[0].name = "ghost"
    return "graph output 'ghost' is not computed by any node"


def case_huge_dims(m):
    t = conv_weight(m)
    t.dims[0] = 1 << 40
    return "dimension out of range"


def case_defined_twice(m):
    node(m, "Tanh").output[0] = node(m, "Sigmoid").output[0]
    return "defined twice"


def case_nonfinite_gemm_weight(m):
    # the dense layer's weight and bias are added one after the other: the
    # first failure must stay the only error (GLib warned of a GError set
    # over another, found by fuzzing)
    w = init(m, node(m, "Gemm").input[1])
    arr = numpy_helper.to_array(w).copy()
    arr[0, 0] = np.inf
    w.CopyFrom(numpy_helper.from_array(arr, w.name))
    return "holds a non-finite value"


def raw_cases():
    """(name, bytes, expected fragment) of files that are no ONNX."""
    return [("empty", b"", "no graph"),
            ("text", b"hello, this is not a model\n",
             "not an ONNX file"),
            ("varint-overflow", b"\x0a" + b"\xff" * 11,
             "not an ONNX file"),
            ("length-past-end", b"\x3a\x80\x80\x04abc", "not an ONNX file")]


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]


def run(tool, path):
    return subprocess.run([tool, path], capture_output=True, text=True,
                          errors="replace", timeout=120)


def main():
    tool, work = sys.argv[1:3]
    corpus = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--corpus" \
        else None
    os.makedirs(work, exist_ok=True)
    base = os.path.join(work, "ops.onnx")
    r = subprocess.run([sys.executable, os.path.join(HERE, "make_onnx_ops.py"),
                        base, "13"], capture_output=True, text=True)
    if r.returncode == 77:
        print("SKIP: PyTorch is missing")
        sys.exit(77)
    if r.returncode != 0:
        print("FAIL: make_onnx_ops.py: " + r.stderr[-2000:])
        sys.exit(1)
    ok = run(tool, base)
    if ok.returncode != 0:
        print("FAIL: the unbroken graph does not load: " + ok.stderr)
        sys.exit(1)

    failures = 0
    cases = []
    for case in CASES:
        m = onnx.load(base)
        want = case(m)
        cases.append((case.__name__[5:], m.SerializeToString(), want))
    cases += raw_cases()
    for name, data, want in cases:
        path = os.path.join(work, name + ".onnx")
        with open(path, "wb") as f:
            f.write(data)
        if corpus:
            os.makedirs(corpus, exist_ok=True)
            with open(os.path.join(corpus, "error-" + name + ".onnx"),
                      "wb") as f:
                f.write(data)
        r = run(tool, path)
        lines = r.stderr.strip().splitlines()
        good = (r.returncode == 1 and len(lines) == 1
                and lines[0].startswith("graph-run: %s: " % path)
                and want in lines[0])
        print("%-5s %-24s %s" % ("ok" if good else "FAIL", name,
                                 lines[0] if lines else "(no message, exit %d)"
                                 % r.returncode))
        failures += not good

    # truncations and byte changes: an error or a model, never a crash
    with open(base, "rb") as f:
        data = f.read()
    rng = random.Random(1)
    broken = [data[:n] for n in range(0, len(data), max(1, len(data) // 60))]
    for _ in range(60):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        broken.append(bytes(b))
    crashes = 0
    for i, b in enumerate(broken):
        path = os.path.join(work, "broken-%d.onnx" % i)
        with open(path, "wb") as f:
            f.write(b)
        r = run(tool, path)
        lines = r.stderr.strip().splitlines()
        if r.returncode == 0:
            continue
        if (r.returncode != 1 or len(lines) != 1 or path not in lines[0]
                or "\ufffd" in r.stderr):
            crashes += 1
            print("FAIL  broken-%d: exit %d: %s" % (i, r.returncode,
                                                  r.stderr[-500:]))
    print("%d truncated or changed files: %d without one clear error"
          % (len(broken), crashes))
    if failures or crashes:
        print("FAIL: %d cases, %d broken files" % (failures, crashes))
        sys.exit(1)
    print("PASS: %d cases, %d broken files" % (len(cases), len(broken)))


if __name__ == "__main__":
    main()
