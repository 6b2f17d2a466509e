"""Writes a gst-ddamfn model file (safetensors, models/FORMAT.md).

Shared by the converters (ddamfn-convert, tflite-convert). Standard library
only. The file is written to a temporary file beside the target, synced, then
renamed over it: a reader sees the old file or the whole new one, never half.
"""
import json
import os
import struct
import sys
import tempfile
from array import array


class WriteError(Exception):
    """The output file could not be written; message for the user."""


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, shape, array('f')); metadata: dict of
    strings. Returns the number of bytes written. Raises WriteError."""
    header = {"__metadata__": metadata}
    offset = 0
    for name, shape, vals in tensors:
        n = len(vals) * 4
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [offset, offset + n]}
        offset += n
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    d = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix="." +
                                   os.path.basename(path) + ".",
                                   suffix=".tmp")
    except OSError as e:
        raise WriteError("cannot create a file in '%s': %s"
                         % (d, e.strerror or e))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(hb)))
            f.write(hb)
            for _, _, vals in tensors:
                if sys.byteorder != "little":
                    vals = array("f", vals)
                    vals.byteswap()
                f.write(vals.tobytes())
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise WriteError("cannot write '%s': %s" % (path, e.strerror or e))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return 8 + len(hb) + offset
