"""Test fixtures: build small TFLite FlatBuffers with the standard library.

Enough of the schema to write BlazeFace-shaped graphs (and break them in
controlled ways) for tests/convert/test_tflite_convert.py. Objects are laid out
parent first, children after, so every u32 offset points forward as the
format requires; vtables sit just before their table.
"""
import struct


class Table:
    def __init__(self, *fields):
        # each field: None (absent) or (kind, value); kinds: "b" "B" "i" "I"
        # "H" (scalars), "obj" (a Table, Vector, Str or Bytes)
        self.fields = list(fields)


class Vector:
    def __init__(self, kind, items):
        self.kind = kind        # "i" (int32), "obj" (tables)
        self.items = list(items)


class Str:
    def __init__(self, s):
        self.s = s.encode("utf-8")


class Bytes:
    def __init__(self, b):
        self.b = bytes(b)


def serialize(root, ident=b"TFL3"):
    out = bytearray(struct.pack("<I", 0) + ident)
    patches = []                # (position of a u32 field, object)

    def emit(obj):
        pos = len(out)
        if isinstance(obj, Table):
            n = len(obj.fields)
            vt = bytearray(struct.pack("<HH", 4 + 2 * n, 0))
            body = bytearray(struct.pack("<i", 0))
            offsets, pend = [], []
            for f in obj.fields:
                if f is None:
                    offsets.append(0)
                    continue
                kind, val = f
                offsets.append(len(body))
                if kind == "obj":
                    pend.append((len(body), val))
                    body += b"\0\0\0\0"
                else:
                    body += struct.pack("<" + kind, val)
            vt[2:4] = struct.pack("<H", len(body))
            for o in offsets:
                vt += struct.pack("<H", o)
            out.extend(vt)
            tpos = len(out)
            body[0:4] = struct.pack("<i", tpos - pos)
            out.extend(body)
            for off, val in pend:
                patches.append((tpos + off, val))
            return tpos
        if isinstance(obj, Vector):
            out.extend(struct.pack("<I", len(obj.items)))
            for it in obj.items:
                if obj.kind == "obj":
                    patches.append((len(out), it))
                    out.extend(b"\0\0\0\0")
                else:
                    out.extend(struct.pack("<" + obj.kind, it))
            return pos
        if isinstance(obj, Str):
            out.extend(struct.pack("<I", len(obj.s)) + obj.s + b"\0")
            return pos
        if isinstance(obj, Bytes):
            out.extend(struct.pack("<I", len(obj.b)) + obj.b)
            return pos
        raise TypeError(obj)

    out[0:4] = struct.pack("<I", emit(root))
    while patches:
        fpos, obj = patches.pop(0)
        tpos = emit(obj)
        out[fpos:fpos + 4] = struct.pack("<I", tpos - fpos)
    return bytes(out)


# --- TFLite vocabulary -----------------------------------------------------

CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, RELU, ADD, RESHAPE, CONCATENATION, \
    PAD, MAX_POOL_2D, RESIZE_BILINEAR = 3, 4, 6, 19, 0, 22, 2, 34, 17, 23
CONV_OPTIONS, DEPTHWISE_OPTIONS = 1, 2     # union type tags (not checked)


def tensor(name, shape, ttype, buffer):
    return Table(("obj", Vector("i", shape)), ("b", ttype), ("I", buffer),
                 ("obj", Str(name)))


def operator(opcode_index, inputs, outputs, options=None):
    return Table(("I", opcode_index), ("obj", Vector("i", inputs)),
                 ("obj", Vector("i", outputs)),
                 ("B", 1) if options is not None else None,
                 ("obj", options) if options is not None else None)


def conv_options(stride, padding=0):
    return Table(("b", padding), ("i", stride), ("i", stride), ("b", 0))


def dw_options(stride, padding=0):
    return Table(("b", padding), ("i", stride), ("i", stride), ("i", 1),
                 ("b", 0))


def model(codes, tensors, inputs, outputs, operators, buffers):
    """codes: builtin operator numbers; buffers: list of bytes."""
    return Table(
        ("I", 3),
        ("obj", Vector("obj", [Table(("b", min(c, 127)), None, ("i", 1),
                                     ("i", c)) for c in codes])),
        ("obj", Vector("obj", [Table(
            ("obj", Vector("obj", tensors)), ("obj", Vector("i", inputs)),
            ("obj", Vector("i", outputs)),
            ("obj", Vector("obj", operators)))])),
        ("obj", Str("test")),
        ("obj", Vector("obj", [Table(("obj", Bytes(b))) if b else Table()
                               for b in buffers])))
