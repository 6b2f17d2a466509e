"""Write PyTorch zip checkpoints with the standard library (no torch).

The files have the layout torch.save() produces: a zip (stored, not
compressed) with members <archive>/data.pkl, <archive>/data/<key> (one per
storage, raw little-endian), <archive>/version ("3\\n") and
<archive>/byteorder ("little"). data.pkl is a protocol-2 pickle written here
opcode by opcode: dicts, lists, tuples, str, int, float, bool and None
natively; state dicts (OrderedDict) as REDUCE of collections.OrderedDict;
tensors as REDUCE of torch._utils._rebuild_tensor_v2 with the storage as a
persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel).

    from array import array
    write_checkpoint("x.pth", {"model_state_dict": OrderedDict(
        [("fc.weight", Tensor([2, 3], array("f", [0.0] * 6)))]), "iter": 3})

For hostile tests, Pickle builds arbitrary opcode streams and
write_raw_checkpoint() puts given data.pkl bytes (and any other members)
into a zip.
"""
import collections
import struct
import sys
import zipfile
from array import array

# typecode -> torch storage type
_TYPECODE_STORAGE = {
    "f": "FloatStorage", "d": "DoubleStorage", "q": "LongStorage",
    "l": "LongStorage", "i": "IntStorage", "h": "ShortStorage",
    "b": "CharStorage", "B": "ByteStorage",
}
_ITEMSIZE = {
    "FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2,
    "BFloat16Storage": 2, "LongStorage": 8, "IntStorage": 4,
    "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
}


class Storage:
    """Raw storage: `kind` is a torch storage type name ("FloatStorage",
    "HalfStorage", ...) and `raw` its little-endian bytes. Tensors that
    hold the same Storage object share one zip member, as in torch."""

    def __init__(self, kind, raw, numel=None):
        if kind not in _ITEMSIZE:
            raise ValueError("unknown storage type %r" % kind)
        self.kind = kind
        self.raw = bytes(raw)
        # numel may be given explicitly (to declare a wrong size on purpose).
        self.numel = len(self.raw) // _ITEMSIZE[kind] if numel is None \
            else numel

    @classmethod
    def from_array(cls, values):
        kind = _TYPECODE_STORAGE.get(values.typecode)
        if kind is None or values.itemsize != _ITEMSIZE[kind]:
            raise ValueError("unsupported array typecode %r" % values.typecode)
        if sys.byteorder != "little":
            values = array(values.typecode, values)
            values.byteswap()
        return cls(kind, values.tobytes())


class Tensor:
    """A tensor: shape, and its data as an array('f'/'d'/'q'/...) or a
    Storage. stride (default: contiguous) and offset (in elements) describe a
    view of the storage, as in torch."""

    def __init__(self, shape, data, stride=None, offset=0):
        self.shape = tuple(int(d) for d in shape)
        self.storage = data if isinstance(data, Storage) \
            else Storage.from_array(data)
        if stride is None:
            stride, s = [], 1
            for d in reversed(self.shape):
                stride.insert(0, s)
                s *= d
        self.stride = tuple(int(s) for s in stride)
        self.offset = int(offset)
        if isinstance(data, Storage):
            return
        n = 1
        for d in self.shape:
            n *= d
        if stride is None and offset == 0 and n != self.storage.numel:
            raise ValueError("shape %s needs %d values, got %d"
                             % (list(self.shape), n, self.storage.numel))


class Global:
    """A pickled reference to module.name (GLOBAL opcode)."""

    def __init__(self, module, name):
        self.module, self.name = module, name


class Reduce:
    """callable(*args) in the pickle: REDUCE of a Global and a tuple."""

    def __init__(self, func, args):
        self.func, self.args = func, tuple(args)


class Pickle:
    """Protocol-2 pickle writer; emit objects with put(), end with stop().
    Low-level opcode helpers are public for hostile test pickles."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")        # PROTO 2

    def raw(self, b):
        self.out += b
        return self

    def mark(self):
        return self.raw(b"(")

    def global_(self, module, name):
        return self.raw(b"c" + module.encode() + b"\n" + name.encode()
                        + b"\n")

    def string(self, s):
        b = s.encode("utf-8")
        return self.raw(b"X" + struct.pack("<I", len(b)) + b)

    def int_(self, v):
        if 0 <= v < 256:
            return self.raw(b"K" + bytes([v]))
        if 0 <= v < 65536:
            return self.raw(b"M" + struct.pack("<H", v))
        if -2 ** 31 <= v < 2 ** 31:
            return self.raw(b"J" + struct.pack("<i", v))
        n = (v.bit_length() + 8) // 8
        return self.raw(b"\x8a" + bytes([n]) + v.to_bytes(n, "little",
                                                           signed=True))

    def float_(self, v):
        return self.raw(b"G" + struct.pack(">d", v))

    def reduce(self):
        return self.raw(b"R")

    def stop(self):
        self.raw(b".")
        return bytes(self.out)

    def tuple_(self, items):
        items = list(items)
        if not items:
            return self.raw(b")")
        if len(items) <= 3:
            for it in items:
                self.put(it)
            return self.raw(b"\x85\x86\x87"[len(items) - 1:len(items)])
        self.mark()
        for it in items:
            self.put(it)
        return self.raw(b"t")

    def put(self, obj):
        if obj is None:
            return self.raw(b"N")
        if obj is True:
            return self.raw(b"\x88")
        if obj is False:
            return self.raw(b"\x89")
        if isinstance(obj, int):
            return self.int_(obj)
        if isinstance(obj, float):
            return self.float_(obj)
        if isinstance(obj, str):
            return self.string(obj)
        if isinstance(obj, Global):
            return self.global_(obj.module, obj.name)
        if isinstance(obj, Reduce):
            self.put(obj.func)
            self.tuple_(obj.args)
            return self.reduce()
        if isinstance(obj, tuple):
            return self.tuple_(obj)
        if isinstance(obj, list):
            self.raw(b"]")
            if obj:
                self.mark()
                for it in obj:
                    self.put(it)
                self.raw(b"e")
            return self
        if isinstance(obj, collections.OrderedDict):
            self.global_("collections", "OrderedDict")
            self.raw(b")")
            self.reduce()
            return self._setitems(obj)
        if isinstance(obj, dict):
            if obj and all(isinstance(v, Tensor) for v in obj.values()):
                # A state dict: torch pickles it as an OrderedDict.
                return self.put(collections.OrderedDict(obj))
            self.raw(b"}")
            return self._setitems(obj)
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        raise TypeError("pthwriter cannot pickle %s" % type(obj).__name__)

    def _setitems(self, d):
        if d:
            self.mark()
            for k, v in d.items():
                self.put(k)
                self.put(v)
            self.raw(b"u")
        return self

    def _tensor(self, t):
        key = self.storage_key(t.storage)
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.mark()
        # persistent id: ('storage', torch.<Type>Storage, key, 'cpu', numel)
        self.mark()
        self.string("storage")
        self.global_("torch", t.storage.kind)
        self.string(key)
        self.string("cpu")
        self.int_(t.storage.numel)
        self.raw(b"t")
        self.raw(b"Q")                           # BINPERSID
        self.int_(t.offset)
        self.tuple_(t.shape)
        self.tuple_(t.stride)
        self.raw(b"\x89")                        # requires_grad False
        self.global_("collections", "OrderedDict")
        self.raw(b")")
        self.reduce()                            # backward_hooks
        self.raw(b"t")
        return self.reduce()

    # Storages met while pickling, in order: (key, Storage).
    def storage_key(self, storage):
        if not hasattr(self, "storages"):
            self.storages = []
        for k, s in self.storages:
            if s is storage:
                return k
        k = str(len(self.storages))
        self.storages.append((k, storage))
        return k


def dumps(obj):
    """Returns (data.pkl bytes, [(key, Storage), ...])."""
    p = Pickle()
    p.storages = []
    p.put(obj)
    return p.stop(), p.storages


def write_raw_checkpoint(path, data_pkl, members=None, prefix="archive",
                         version=True, byteorder=True):
    """Zip with <prefix>/data.pkl = data_pkl; members: {name: bytes} added
    as given (names taken literally, e.g. 'archive/data/0' or '../evil')."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "/data.pkl", data_pkl)
        if byteorder:
            z.writestr(prefix + "/byteorder", "little")
        for name, data in (members or {}).items():
            z.writestr(name, data)
        if version:
            z.writestr(prefix + "/version", "3\n")


def write_checkpoint(path, top_level, prefix="archive"):
    """torch.save(top_level, path) equivalent for dicts / lists / tuples /
    scalars / Tensor objects. A dict whose values are all Tensors (a state
    dict) is pickled as an OrderedDict, as torch does."""
    data, storages = dumps(top_level)
    members = {"%s/data/%s" % (prefix, k): s.raw for k, s in storages}
    write_raw_checkpoint(path, data, members, prefix=prefix)
