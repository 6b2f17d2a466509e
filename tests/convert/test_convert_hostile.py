#!/usr/bin/env python3
"""Hostile input for models/ddamfn-convert: pickles that would run code
(os.system, eval, exec, subprocess, getattr, BUILD on allowed functions,
...) are refused before any of it runs; hostile zips (not a zip, truncated,
path traversal, absurd or lying sizes, compression bombs, nested persistent
ids, oversized pickles) are refused with a clear message and bounded
memory.

Run: python3 tests/convert/test_convert_hostile.py
"""
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import pthwriter  # noqa: E402
from pthwriter import Global, Reduce  # noqa: E402
from test_convert import ConvertTestCase, state, state_dict  # noqa: E402


# ---------------------------------------------------------- hostile pickles

def hostile_pickles(marker):
    """name -> data.pkl bytes whose unpickling by plain pickle runs
    `touch marker` (or creates it)."""
    cmd = "touch '%s'" % marker
    out = {}

    def reduce_pickle(obj):
        p = pthwriter.Pickle()
        p.put(obj)
        return p.stop()

    out["os.system"] = reduce_pickle(Reduce(Global("os", "system"), [cmd]))
    out["posix.system"] = reduce_pickle(
        Reduce(Global("posix", "system"), [cmd]))
    out["builtins.eval"] = reduce_pickle(Reduce(
        Global("builtins", "eval"),
        ["__import__('os').system(%r)" % cmd]))
    out["builtins.exec"] = reduce_pickle(Reduce(
        Global("builtins", "exec"), ["open(%r, 'w').close()" % marker]))
    out["subprocess.Popen"] = reduce_pickle(Reduce(
        Global("subprocess", "Popen"), [["touch", marker]]))
    out["builtins.getattr"] = reduce_pickle(Reduce(
        Reduce(Global("builtins", "getattr"),
               [Reduce(Global("builtins", "__import__"), ["os"]), "system"]),
        [cmd]))
    # Hidden deep inside an otherwise valid-looking checkpoint.
    p = pthwriter.Pickle()
    p.put({"iter": 1, "model_state_dict": {},
           "optimizer_state_dict": {"state": [1, 2, Reduce(
               Global("os", "system"), [cmd])]}})
    out["nested os.system"] = p.stop()

    # What pickle.dumps makes of an object with a malicious __reduce__
    # (protocol 4+: STACK_GLOBAL, memo opcodes).
    class Evil:
        def __reduce__(self):
            return (os.system, (cmd,))
    out["pickle.dumps os.system"] = pickle.dumps(
        {"model_state_dict": Evil()}, protocol=pickle.HIGHEST_PROTOCOL)
    # Python-2 module name, resolved by plain pickle's fix_imports.
    out["__builtin__.eval"] = reduce_pickle(Reduce(
        Global("__builtin__", "eval"),
        ["__import__('os').system(%r)" % cmd]))
    return out


HOSTILE_GLOBAL = {
    "os.system": "os.system", "posix.system": "posix.system",
    "builtins.eval": "builtins.eval", "builtins.exec": "builtins.exec",
    "subprocess.Popen": "subprocess.Popen",
    "builtins.getattr": "builtins.getattr",
    "nested os.system": "os.system",
    "pickle.dumps os.system": ".system",   # posix.system or nt.system
    "__builtin__.eval": "__builtin__.eval",
}


def wait_for(path, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return os.path.exists(path)


class HostilePickleTests(ConvertTestCase):
    def test_payloads_are_live_under_plain_pickle(self):
        """Control: each payload does run code when loaded by an ordinary
        unpickler, so the refusals below prove something."""
        for name in HOSTILE_GLOBAL:
            with self.subTest(payload=name):
                marker = self.path("control-%d" % abs(hash(name)))
                data = hostile_pickles(marker)[name]
                src = self.path("control.pkl")
                with open(src, "wb") as f:
                    f.write(data)
                subprocess.run([sys.executable, "-c",
                                "import pickle,sys;"
                                "pickle.loads(open(sys.argv[1],'rb').read())",
                                src], capture_output=True, timeout=60)
                self.assertTrue(wait_for(marker, 5),
                                "payload %s did not run under plain pickle"
                                % name)

    def test_hostile_globals_are_refused_and_nothing_runs(self):
        markers = []
        for name in HOSTILE_GLOBAL:
            with self.subTest(payload=name):
                marker = os.path.join(
                    tempfile.gettempdir(), "ddamfn-convert-pwned-%d-%d-%d"
                    % (os.getpid(), abs(hash(name)), int(time.time() * 1e6)))
                self.assertFalse(os.path.exists(marker))
                markers.append(marker)
                self.addCleanup(lambda m=marker: os.path.exists(m) and
                                os.unlink(m))
                data = hostile_pickles(marker)[name]
                pth = self.path("hostile.pth")
                pthwriter.write_raw_checkpoint(pth, data)
                p = self.convert(pth, self.out(), "--labels", "affectnet7")
                line = self.assert_fails(p, "refusing to load global",
                                         "not in the allow-list",
                                         HOSTILE_GLOBAL[name],
                                         out=self.out())
                self.assertIn("'", line)
                self.assertFalse(os.path.exists(marker),
                                 "payload %s RAN" % name)
        time.sleep(0.3)       # a spawned process would have touched by now
        for m in markers:
            self.assertFalse(os.path.exists(m), "payload ran: %s" % m)

    def test_other_torch_globals_are_refused(self):
        for module, name in (("torch", "load"), ("torch.serialization",
                                                  "load"),
                             ("torch._utils", "_rebuild_qtensor"),
                             ("collections", "namedtuple"),
                             ("copyreg", "_reconstructor"),
                             ("numpy.core.multiarray", "_reconstruct")):
            with self.subTest(glob="%s.%s" % (module, name)):
                p = pthwriter.Pickle()
                p.put(Reduce(Global(module, name), ["x"]))
                pth = self.path("g.pth")
                pthwriter.write_raw_checkpoint(pth, p.stop())
                r = self.convert(pth, self.out(), "--labels", "affectnet7")
                self.assert_fails(r, "refusing to load global '%s.%s'"
                                  % (module, name), out=self.out())

    def test_garbage_pickle(self):
        pth = self.path("garbage.pth")
        pthwriter.write_raw_checkpoint(pth, b"\x80\x02this is not a pickle")
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_fails(p, "cannot unpickle", out=self.out())

    def test_build_on_an_allowed_function_is_refused(self):
        p = pthwriter.Pickle()
        p.global_("torch._utils", "_rebuild_tensor_v2")
        p.put({"__defaults__": (1,)})
        p.raw(b"b")                               # BUILD
        pth = self.path("build.pth")
        pthwriter.write_raw_checkpoint(pth, p.stop())
        r = self.convert(pth, self.out(), "--labels", "affectnet7")
        self.assert_fails(r, "BUILD", out=self.out())


# --------------------------------------------------------------- hostile zip

def fc_weight_storage_start(kind):
    """A pickle opened up to the storage class of the persistent id of
    {'model_state_dict': {'fc.weight': _rebuild_tensor_v2((('storage',
    torch.KIND, ..."""
    p = pthwriter.Pickle()
    p.raw(b"}(")
    p.string("model_state_dict")
    p.raw(b"}(")
    p.string("fc.weight")
    p.global_("torch._utils", "_rebuild_tensor_v2")
    p.raw(b"((")
    p.string("storage")
    p.global_("torch", kind)
    return p


def storage_pickle(numel, key="0", kind="FloatStorage", size=None,
                   stride=None, offset=0):
    """data.pkl of {'model_state_dict': {'fc.weight': tensor}} with a
    hand-set persistent id."""
    p = fc_weight_storage_start(kind)
    p.string(key)
    p.string("cpu")
    p.int_(numel)
    p.raw(b"tQ")
    p.int_(offset)
    size = size if size is not None else (numel,)
    p.tuple_(size)
    p.tuple_(stride if stride is not None else (1,) * len(size))
    p.raw(b"\x89)t")
    p.reduce()
    p.raw(b"uu")
    return p.stop()


def patch_zip_sizes(path, member, new_size):
    """Rewrite the declared uncompressed size of `member` in its local and
    central headers (a lie the reader must not trust)."""
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    name = member.encode()
    n = 0
    i = blob.find(b"PK\x01\x02")
    while i >= 0:
        nlen = struct.unpack_from("<H", blob, i + 28)[0]
        if blob[i + 46:i + 46 + nlen] == name:
            struct.pack_into("<I", blob, i + 24, new_size)
            local = struct.unpack_from("<I", blob, i + 42)[0]
            struct.pack_into("<I", blob, local + 22, new_size)
            n += 1
        i = blob.find(b"PK\x01\x02", i + 4)
    assert n == 1, n
    with open(path, "wb") as f:
        f.write(blob)


class HostileZipTests(ConvertTestCase):
    def run_refused(self, pth, *fragments):
        p = self.convert(pth, self.out(), "--labels", "affectnet7")
        return self.assert_fails(p, *fragments, out=self.out())

    def test_not_a_zip(self):
        pth = self.path("text.pth")
        with open(pth, "w") as f:
            f.write("version https://git-lfs.github.com/spec/v1\n"
                    "oid sha256:0123\nsize 17000000\n")
        self.run_refused(pth, "not a PyTorch zip checkpoint")

    def test_empty_file(self):
        pth = self.path("empty.pth")
        open(pth, "wb").close()
        self.run_refused(pth, "not a PyTorch zip checkpoint")

    def test_truncated_zip(self):
        st = state("single", 7, 7)
        full = self.path("full.pth")
        pthwriter.write_checkpoint(full, {"model_state_dict": state_dict(st)})
        with open(full, "rb") as f:
            blob = f.read()
        for cut in (len(blob) // 2, len(blob) - 10, 100):
            with self.subTest(cut=cut):
                pth = self.path("cut.pth")
                with open(pth, "wb") as f:
                    f.write(blob[:cut])
                self.run_refused(pth)

    def test_corrupt_storage_bytes(self):
        st = state("single", 7, 7)
        pth = self.path("crc.pth")
        pthwriter.write_checkpoint(pth, {"model_state_dict": state_dict(st)})
        with open(pth, "r+b") as f:
            f.seek(os.path.getsize(pth) // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0xFF]))
        self.run_refused(pth)

    def test_member_name_with_dotdot(self):
        for bad in ("../evil", "archive/../../evil", "archive/data/../../x"):
            with self.subTest(name=bad):
                pth = self.path("dotdot.pth")
                pthwriter.write_raw_checkpoint(
                    pth, storage_pickle(2), {"archive/data/0": b"\0" * 8,
                                             bad: b"x"})
                self.run_refused(pth, "unsafe member name")

    def test_absolute_member_name(self):
        pth = self.path("abs.pth")
        pthwriter.write_raw_checkpoint(pth, storage_pickle(2),
                                       {"/etc/evil": b"x"})
        self.run_refused(pth, "unsafe member name", "/etc/evil")

    def test_storage_key_with_path(self):
        pth = self.path("key.pth")
        pthwriter.write_raw_checkpoint(pth, storage_pickle(2, key="../0"))
        self.run_refused(pth, "bad storage key")

    def test_nested_persistent_id(self):
        """A persistent id whose storage key is itself a persistent id (a
        storage object), and one whose id is not a 5-tuple at all."""
        p = fc_weight_storage_start("FloatStorage")
        p.raw(b"(")                     # the key: another persistent id
        p.string("storage")
        p.global_("torch", "FloatStorage")
        p.string("0")
        p.string("cpu")
        p.int_(2)
        p.raw(b"tQ")
        p.string("cpu")
        p.int_(2)
        p.raw(b"tQ")
        p.int_(0)
        p.tuple_((2,))
        p.tuple_((1,))
        p.raw(b"\x89)t")
        p.reduce()
        p.raw(b"uu")
        pth = self.path("nested.pth")
        pthwriter.write_raw_checkpoint(pth, p.stop(),
                                       {"archive/data/0": b"\0" * 8})
        self.run_refused(pth, "bad storage key")

        p = pthwriter.Pickle()
        p.raw(b"(")
        p.string("storage")
        p.raw(b"(")
        p.string("deeper")
        p.raw(b"tQ")                    # persistent id inside a persistent id
        p.raw(b"tQ")
        pth = self.path("nested2.pth")
        pthwriter.write_raw_checkpoint(pth, p.stop())
        self.run_refused(pth, "unsupported persistent id")

    def test_absurd_declared_storage_size(self):
        pth = self.path("huge.pth")
        pthwriter.write_raw_checkpoint(pth, storage_pickle(10 ** 12),
                                       {"archive/data/0": b"\0" * 8})
        self.run_refused(pth, "declares 1000000000000 elements", "refusing")

    def test_storage_member_size_mismatch(self):
        # A complete model in which the bytes of fc.weight are too few.
        st = state("single", 7, 7)
        sd = state_dict(st)
        data, storages = pthwriter.dumps({"model_state_dict": sd})
        members = {"archive/data/%s" % k: s.raw for k, s in storages}
        fc_key = [k for k, s in storages if s is sd["fc.weight"].storage][0]
        members["archive/data/%s" % fc_key] = b"\0" * 100
        pth = self.path("short.pth")
        pthwriter.write_raw_checkpoint(pth, data, members)
        self.run_refused(pth, "storage '%s' holds 100 bytes" % fc_key,
                         "expected 14336")

    def test_missing_storage_member(self):
        st = state("single", 7, 7)
        sd = state_dict(st)
        data, storages = pthwriter.dumps({"model_state_dict": sd})
        members = {"archive/data/%s" % k: s.raw for k, s in storages[1:]}
        pth = self.path("nomember.pth")
        pthwriter.write_raw_checkpoint(pth, data, members)
        self.run_refused(pth, "no member 'archive/data/0'")

    def test_view_outside_its_storage(self):
        pth = self.path("view.pth")
        pthwriter.write_raw_checkpoint(
            pth, storage_pickle(10, size=(7, 512), stride=(512, 1)),
            {"archive/data/0": b"\0" * 40})
        self.run_refused(pth, "reaches element")

    def test_absurd_declared_member_size(self):
        pth = self.path("bigmember.pth")
        pthwriter.write_raw_checkpoint(pth, storage_pickle(2),
                                       {"archive/data/0": b"\0" * 8})
        patch_zip_sizes(pth, "archive/data/0", 0xF0000000)
        self.run_refused(pth, "archive/data/0", "declares 4026531840 bytes")

    def test_oversized_pickle(self):
        pth = self.path("bigpickle.pth")
        pthwriter.write_raw_checkpoint(pth, storage_pickle(2),
                                       {"archive/data/0": b"\0" * 8})
        patch_zip_sizes(pth, "archive/data.pkl", 65 * 1024 * 1024)
        self.run_refused(pth, "archive/data.pkl", "68157440")

    def test_compression_bomb(self):
        pth = self.path("bomb.pth")
        with zipfile.ZipFile(pth, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("archive/data.pkl", storage_pickle(2))
            z.writestr("archive/data/0", b"\0" * (64 * 1024 * 1024))
            z.writestr("archive/version", "3\n")
        self.run_refused(pth, "compression ratio")

    def test_no_data_pkl(self):
        pth = self.path("nopkl.pth")
        with zipfile.ZipFile(pth, "w") as z:
            z.writestr("archive/version", "3\n")
        self.run_refused(pth, "data.pkl")


if __name__ == "__main__":
    unittest.main(verbosity=2)
