"""A minimal, checking reader of TensorFlow Lite model files (a FlatBuffer).

Standard library only. Reads just what a converter and a reference
interpreter need: operator codes, the first subgraph's tensors, inputs,
outputs and operators (with the options of the operators BlazeFace uses), and
the constant buffers. Every offset, vtable, vector and string is checked
against the file's bounds before it is read, so a truncated or hostile file
gives a TFLiteError naming what is wrong, never an IndexError or a huge
allocation.

FlatBuffer facts used (see docs/face-detector.md): the file starts with a u32
offset to the root table, then the 4-byte identifier "TFL3". A table starts
with an i32 soffset; table - soffset is its vtable: u16 vtable size, u16
table size, then one u16 per field (0 = absent, else the field's offset in
the table). Scalars lie inline; strings, vectors, tables and union values
are a u32 offset relative to the field's own position. A vector (and a
string) is a u32 element count followed by its elements.
"""
import struct

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ELEMENTS = 1 << 24          # entries of any one vector
MAX_DIMS = 8

# BuiltinOperator values of the TFLite schema.
BUILTIN_NAMES = {
    0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D",
    4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED",
    14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU", 21: "RELU6",
    22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX", 34: "PAD",
    54: "PRELU",
}
# TensorType values
FLOAT32, FLOAT16, INT32 = 0, 1, 2
TYPE_NAMES = {0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8",
              4: "INT64", 5: "STRING", 6: "BOOL", 7: "INT16", 9: "INT8"}
TYPE_SIZES = {0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 9: 1}
PADDING_NAMES = {0: "same", 1: "valid"}
ACTIVATION_NAMES = {0: "none", 1: "relu", 2: "relu_n1_to_1", 3: "relu6",
                    4: "tanh", 5: "sign_bit"}


class TFLiteError(Exception):
    """The file is not a TFLite model this reader accepts; message for the
    user."""


class _Buf:
    def __init__(self, data):
        self.d = data
        self.n = len(data)

    def need(self, pos, size, what):
        if pos < 0 or size < 0 or pos + size > self.n:
            raise TFLiteError("%s at byte %d (+%d) lies outside the file "
                              "(%d bytes): truncated or corrupt"
                              % (what, pos, size, self.n))

    def unpack(self, fmt, pos, what):
        size = struct.calcsize(fmt)
        self.need(pos, size, what)
        return struct.unpack_from(fmt, self.d, pos)[0]


class _Table:
    """One FlatBuffer table; every accessor checks bounds."""

    def __init__(self, buf, pos, what):
        self.b = buf
        self.what = what
        self.pos = pos
        soff = buf.unpack("<i", pos, what + " table")
        self.vt = pos - soff
        self.vt_len = buf.unpack("<H", self.vt, what + " vtable")
        if self.vt_len < 4 or self.vt_len % 2:
            raise TFLiteError("%s: vtable size %d is invalid"
                              % (what, self.vt_len))
        buf.need(self.vt, self.vt_len, what + " vtable")
        self.tab_len = buf.unpack("<H", self.vt + 2, what + " vtable")
        buf.need(pos, self.tab_len, what + " table")

    def _field(self, i, size):
        o = 4 + 2 * i
        if o + 2 > self.vt_len:
            return None
        f = self.b.unpack("<H", self.vt + o, self.what + " vtable")
        if f == 0:
            return None
        if f + size > self.tab_len:
            raise TFLiteError("%s: field %d (offset %d) lies outside its "
                              "table (%d bytes)" % (self.what, i, f,
                                                    self.tab_len))
        return self.pos + f

    def scalar(self, i, fmt, default):
        p = self._field(i, struct.calcsize(fmt))
        if p is None:
            return default
        return self.b.unpack(fmt, p, self.what)

    def _target(self, i, what):
        p = self._field(i, 4)
        if p is None:
            return None
        return p + self.b.unpack("<I", p, what)

    def table(self, i, what):
        t = self._target(i, what)
        return None if t is None else _Table(self.b, t, what)

    def _vector(self, i, elem_size, what):
        t = self._target(i, what)
        if t is None:
            return None
        n = self.b.unpack("<I", t, what + " length")
        if n > MAX_ELEMENTS:
            raise TFLiteError("%s has %d entries (limit %d)"
                              % (what, n, MAX_ELEMENTS))
        self.b.need(t + 4, n * elem_size, what)
        return t + 4, n

    def tables(self, i, what):
        v = self._vector(i, 4, what)
        if v is None:
            return []
        start, n = v
        out = []
        for k in range(n):
            p = start + 4 * k
            out.append(_Table(self.b, p + self.b.unpack("<I", p, what),
                              "%s[%d]" % (what, k)))
        return out

    def ints(self, i, what, fmt="i"):
        v = self._vector(i, struct.calcsize(fmt), what)
        if v is None:
            return None
        start, n = v
        return list(struct.unpack_from("<%d%s" % (n, fmt), self.b.d, start))

    def raw(self, i, what):
        v = self._vector(i, 1, what)
        if v is None:
            return None
        start, n = v
        return self.b.d[start:start + n]

    def string(self, i, what):
        r = self.raw(i, what)
        if r is None:
            return None
        try:
            return r.decode("utf-8")
        except UnicodeDecodeError:
            raise TFLiteError("%s is not valid UTF-8" % what)


class Tensor:
    def __init__(self, index, name, shape, ttype, data):
        self.index = index
        self.name = name
        self.shape = shape
        self.type = ttype
        self.data = data        # bytes of its constant buffer, or None

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n


class Operator:
    def __init__(self, index, code, inputs, outputs, options):
        self.index = index
        self.code = code        # name from BUILTIN_NAMES
        self.inputs = inputs
        self.outputs = outputs
        self.options = options  # dict


def _options(code, t):
    """The builtin options this reader understands, as a dict; t may be
    None (all defaults)."""
    def sc(i, fmt, default):
        return default if t is None else t.scalar(i, fmt, default)

    def act(i):
        a = sc(i, "<b", 0)
        if a not in ACTIVATION_NAMES:
            raise TFLiteError("unknown fused activation %d" % a)
        return ACTIVATION_NAMES[a]

    def pad(i):
        p = sc(i, "<b", 0)
        if p not in PADDING_NAMES:
            raise TFLiteError("unknown padding %d" % p)
        return PADDING_NAMES[p]

    if code == "CONV_2D":
        return {"padding": pad(0), "stride_w": sc(1, "<i", 1),
                "stride_h": sc(2, "<i", 1), "activation": act(3),
                "dilation_w": sc(4, "<i", 1), "dilation_h": sc(5, "<i", 1)}
    if code == "DEPTHWISE_CONV_2D":
        return {"padding": pad(0), "stride_w": sc(1, "<i", 1),
                "stride_h": sc(2, "<i", 1),
                "depth_multiplier": sc(3, "<i", 1), "activation": act(4),
                "dilation_w": sc(5, "<i", 1), "dilation_h": sc(6, "<i", 1)}
    if code in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        return {"padding": pad(0), "stride_w": sc(1, "<i", 1),
                "stride_h": sc(2, "<i", 1), "filter_w": sc(3, "<i", 1),
                "filter_h": sc(4, "<i", 1), "activation": act(5)}
    if code in ("ADD", "MUL"):
        return {"activation": act(0)}
    if code == "CONCATENATION":
        return {"axis": sc(0, "<i", 0), "activation": act(1)}
    if code == "RESIZE_BILINEAR":
        # field 0, 1 are deprecated new_height / new_width
        return {"align_corners": bool(sc(2, "<B", 0)),
                "half_pixel_centers": bool(sc(3, "<B", 0))}
    return {}


class Model:
    """The first subgraph of a TFLite file: tensors, operators, inputs and
    outputs, everything checked for bounds and consistency."""

    def __init__(self, data):
        if len(data) > MAX_FILE_BYTES:
            raise TFLiteError("file is %d bytes (limit %d)"
                              % (len(data), MAX_FILE_BYTES))
        if len(data) < 8:
            raise TFLiteError("file is %d bytes: too short for a TFLite "
                              "model" % len(data))
        if data[4:8] != b"TFL3":
            raise TFLiteError("file identifier is %r, expected 'TFL3': not "
                              "a TFLite model" % bytes(data[4:8]))
        b = _Buf(data)
        root = _Table(b, b.unpack("<I", 0, "root offset"), "model")
        self.version = root.scalar(0, "<I", 0)
        self.codes = []
        for k, oc in enumerate(root.tables(1, "operator_codes")):
            dep = oc.scalar(0, "<b", 0)
            code = oc.scalar(3, "<i", 0)
            c = max(dep, code)
            custom = oc.string(1, "custom code")
            if custom is not None and c == 32:
                self.codes.append("CUSTOM:" + custom)
            else:
                self.codes.append(BUILTIN_NAMES.get(c, "BUILTIN_%d" % c))
        subgraphs = root.tables(2, "subgraphs")
        if len(subgraphs) != 1:
            raise TFLiteError("the model has %d subgraphs, expected 1"
                              % len(subgraphs))
        buffers = root.tables(4, "buffers")
        sg = subgraphs[0]
        self.tensors = []
        for k, t in enumerate(sg.tables(0, "tensors")):
            self.tensors.append(self._tensor(k, t, buffers))
        nt = len(self.tensors)
        self.inputs = self._indices(sg.ints(1, "subgraph inputs") or [],
                                    nt, "subgraph input")
        self.outputs = self._indices(sg.ints(2, "subgraph outputs") or [],
                                     nt, "subgraph output")
        self.operators = []
        for k, op in enumerate(sg.tables(3, "operators")):
            ci = op.scalar(0, "<I", 0)
            if ci >= len(self.codes):
                raise TFLiteError("operator %d: opcode index %d out of range "
                                  "(%d codes)" % (k, ci, len(self.codes)))
            code = self.codes[ci]
            what = "operator %d (%s)" % (k, code)
            ins = self._indices(op.ints(1, what + " inputs") or [], nt,
                                what + " input", allow_absent=True)
            outs = self._indices(op.ints(2, what + " outputs") or [], nt,
                                 what + " output")
            opt_table = op.table(4, what + " options")
            try:
                options = _options(code, opt_table)
            except TFLiteError as e:
                raise TFLiteError("%s: %s" % (what, e))
            self.operators.append(Operator(k, code, ins, outs, options))

    @staticmethod
    def _indices(lst, n, what, allow_absent=False):
        for i in lst:
            if allow_absent and i == -1:
                continue
            if not 0 <= i < n:
                raise TFLiteError("%s: tensor index %d out of range (%d "
                                  "tensors)" % (what, i, n))
        return lst

    @staticmethod
    def _tensor(k, t, buffers):
        name = t.string(3, "tensor %d name" % k)
        if name is None:
            name = "tensor_%d" % k
        what = "tensor %d '%s'" % (k, name[:80])
        shape = t.ints(0, what + " shape") or []
        if len(shape) > MAX_DIMS:
            raise TFLiteError("%s has %d dimensions (limit %d)"
                              % (what, len(shape), MAX_DIMS))
        for d in shape:
            if d < 0 or d > MAX_ELEMENTS:
                raise TFLiteError("%s has dimension %d in shape %s"
                                  % (what, d, shape))
        ttype = t.scalar(1, "<b", 0)
        bi = t.scalar(2, "<I", 0)
        if bi >= len(buffers):
            raise TFLiteError("%s: buffer index %d out of range (%d "
                              "buffers)" % (what, bi, len(buffers)))
        data = buffers[bi].raw(0, what + " buffer data")
        if data is not None and len(data) == 0:
            data = None
        if data is not None:
            size = TYPE_SIZES.get(ttype)
            if size is None:
                raise TFLiteError("%s: constant of unsupported type %s"
                                  % (what, TYPE_NAMES.get(ttype, ttype)))
            n = 1
            for d in shape:
                n *= d
            if n * size != len(data):
                raise TFLiteError("%s: shape %s of %s needs %d bytes, its "
                                  "buffer holds %d"
                                  % (what, shape, TYPE_NAMES[ttype],
                                     n * size, len(data)))
        return Tensor(k, name, shape, ttype, data)


def load(path):
    """Reads and parses a TFLite file. Raises TFLiteError or OSError."""
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    return Model(data)
