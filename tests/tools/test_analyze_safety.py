#!/usr/bin/env python3
"""ddamfn-analyze never destroys or leaves behind data (issue 13): outputs
that are the input through a symbolic or hard link, two outputs that are
one file, outputs that are links, FIFOs or device nodes are refused with
one message and leave every file as it was; SIGINT, SIGTERM and SIGHUP
(and SIGQUIT, SIGPIPE) at many points of a run leave all outputs or none,
never a temporary file, and end it with 128 + the signal's number; the
help is readable in a UTF-8 locale; CSV numbers have six decimals; a wrong
option value names its option; a damaged video is reported.

usage: test_analyze_safety.py PATH/TO/ddamfn-analyze MODEL WORKDIR SHARED_DATA
Needs no PyGObject (so it also runs under tests/scripts/sanitize.sh). Exits 77
(skipped) without Megamind.avi or opencv's facedetect and its cascade.
"""
import csv
import hashlib
import os
import random
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import clips  # noqa: E402
import toolenv  # noqa: E402
from toolenv import skip, tool_env  # noqa: E402

ANALYZE = MODEL = WORK = DATA = None
# The Haar cascade: it needs no downloaded detector model, and its slower
# runs leave more points of a run to signal.
HAAR = ["--detector", "opencv"]
OUTPUTS = ("a.csv", "a.jsonl", "a.mkv", "a.png")


def system_env():
    return toolenv.system_env(WORK)


def has_element(name):
    return toolenv.has_element(name, WORK)


def fresh_dir(*parts):
    return toolenv.fresh_dir(WORK, *parts)


def analyze(*args, env=None, timeout=600):
    return subprocess.run([ANALYZE] + HAAR + list(args), capture_output=True,
                          text=True, timeout=timeout,
                          env=env or tool_env())


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def outputs(d):
    return ["--csv", os.path.join(d, "a.csv"),
            "--jsonl", os.path.join(d, "a.jsonl"),
            "--annotated", os.path.join(d, "a.mkv"),
            "--plot", os.path.join(d, "a.png")]


def make_clip(path, frames, mux):
    clips.make_clip(os.path.join(DATA, "Megamind.avi"), path, frames, mux,
                    env=system_env())


class Setup(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clip = os.path.join(WORK, "clip.avi")
        make_clip(cls.clip, 24, "avimux")
        cls.clip_sha = sha(cls.clip)

    def frames_of(self, path):
        """The frames ddamfn-analyze reads from an intact PATH."""
        r = analyze("--model", MODEL, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("damaged", r.stderr)
        return int(re.search(r": (\d+) frames in", r.stdout).group(1))


class Links(Setup):
    """What the output paths name, compared by identity."""

    def refused(self, d, args, fragment, keep):
        """Runs with ARGS in D and checks: exit 2, one line naming
        FRAGMENT, nothing created, and every path of KEEP (path -> what
        it was) as it was."""
        before = sorted(os.listdir(d))
        r = analyze("--model", MODEL, *args)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("ddamfn-analyze: "), r.stderr)
        self.assertIn(fragment, lines[0])
        self.assertEqual(sorted(os.listdir(d)), before)
        for path, was in keep.items():
            self.assertEqual(self.describe(path), was, path)

    @staticmethod
    def describe(path):
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return ("link", os.readlink(path))
        if stat.S_ISREG(st.st_mode):
            return ("file", st.st_ino, st.st_nlink, sha(path))
        return (stat.S_IFMT(st.st_mode), st.st_rdev, st.st_ino)

    def setUp(self):
        self.d = fresh_dir("links", self._testMethodName)
        self.orig = os.path.join(self.d, "orig.avi")
        shutil.copy(self.clip, self.orig)
        self.was = self.describe(self.orig)

    def test_output_over_a_symlinked_input(self):
        link = os.path.join(self.d, "clip.avi")
        os.symlink("orig.avi", link)
        keep = {self.orig: self.was, link: ("link", "orig.avi")}
        self.refused(self.d, [link, "--csv", self.orig],
                     "is the input video", keep)
        self.refused(self.d, [link, "--annotated",
                              os.path.join(self.d, "orig.avi")],
                     "is the input video", keep)
        # the other way round: the output is the link
        mkv = os.path.join(self.d, "to-orig.mkv")
        os.symlink("orig.avi", mkv)
        keep[mkv] = ("link", "orig.avi")
        self.refused(self.d, [self.orig, "--annotated", mkv],
                     "is the input video", keep)

    def test_output_is_a_hard_link_of_the_input(self):
        hard = os.path.join(self.d, "hard.jsonl")
        os.link(self.orig, hard)
        self.was = self.describe(self.orig)
        self.refused(self.d, [self.orig, "--jsonl", hard],
                     "is the input video", {self.orig: self.was})
        self.refused(self.d, [hard, "--plot", self.orig],
                     "is the input video", {self.orig: self.was})

    def test_two_outputs_one_file(self):
        sub = os.path.join(self.d, "sub")
        os.makedirs(sub)
        os.symlink("sub", os.path.join(self.d, "alias"))
        keep = {self.orig: self.was}
        self.refused(self.d, [self.orig, "--csv", os.path.join(sub, "a.csv"),
                              "--jsonl", os.path.join(self.d, "alias",
                                                      "a.csv")],
                     "are the same file", keep)
        self.refused(self.d, [self.orig, "--csv", os.path.join(sub, "a.csv"),
                              "--plot", os.path.join(sub, ".", "a.csv")],
                     "are the same file", keep)
        self.assertEqual(os.listdir(sub), [])

    def test_output_that_is_a_link_elsewhere(self):
        other = os.path.join(self.d, "other.csv")
        with open(other, "w") as f:
            f.write("precious\n")
        link = os.path.join(self.d, "a.csv")
        os.symlink("other.csv", link)
        dangling = os.path.join(self.d, "b.csv")
        os.symlink("nowhere.csv", dangling)
        keep = {self.orig: self.was, other: self.describe(other),
                link: ("link", "other.csv"),
                dangling: ("link", "nowhere.csv")}
        self.refused(self.d, [self.orig, "--csv", link],
                     "is a symbolic link", keep)
        self.refused(self.d, [self.orig, "--csv", dangling],
                     "is a symbolic link", keep)

    def test_fifo_is_refused_not_replaced(self):
        fifo = os.path.join(self.d, "a.csv")
        os.mkfifo(fifo)
        keep = {self.orig: self.was, fifo: self.describe(fifo)}
        self.refused(self.d, [self.orig, "--csv", fifo], "is a FIFO", keep)
        self.refused(self.d, [self.orig, "--annotated",
                              os.path.join(self.d, "x.mkv"), "--jsonl",
                              fifo], "is a FIFO", keep)

    def test_device_node_is_refused_not_replaced(self):
        # a private node (the null device's numbers) in our own directory
        node = os.path.join(self.d, "null")
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("mknod needs root (CAP_MKNOD)")
        keep = {self.orig: self.was, node: self.describe(node)}
        self.refused(self.d, [self.orig, "--csv", node],
                     "is a character device", keep)
        self.refused(self.d, [self.orig, "--plot", node],
                     "is a character device", keep)


class Signals(Setup):
    """Signals at many points of a run: all outputs or none."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def run_and_signal(self, d, sig, delay=None, after_last=None):
        """Starts a run writing into D; sends SIG DELAY seconds after the
        start, or AFTER_LAST seconds after its 'progress: 100%' line."""
        proc = subprocess.Popen([ANALYZE] + HAAR + ["--model", MODEL, self.clip] +
                                outputs(d), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env=tool_env())
        lines = []
        if after_last is None:
            time.sleep(delay)
        else:
            for line in proc.stderr:
                lines.append(line)
                if line.startswith("progress: 100%"):
                    break
            if after_last:
                time.sleep(after_last)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=300)
        return proc.returncode, "".join(lines) + err

    def check_point(self, d, sig, rc, err, where):
        names = sorted(os.listdir(d))
        hidden = [n for n in names if n.startswith(".")]
        self.assertEqual(hidden, [], "%s: temporary files left" % where)
        self.assertIn(names, ([], sorted(OUTPUTS)),
                      "%s: some outputs only: %s" % (where, names))
        self.assertEqual(sha(self.clip), self.clip_sha)
        if rc == 0:
            # the run ended before the signal came
            self.assertEqual(names, sorted(OUTPUTS), where)
            return "finished"
        if rc == -sig:
            # before main() blocked the signals: nothing can exist yet
            self.assertEqual(names, [], where)
            self.assertNotIn("progress:", err, where)
            return "before main"
        self.assertEqual(rc, 128 + sig, "%s: %s" % (where, err))
        last = err.strip().splitlines()[-1]
        self.assertIn(signal.Signals(sig).name, last, where)
        if names:
            self.assertIn("after every output was written", last, where)
            return "after commit"
        self.assertIn("interrupted by %s; no output written"
                      % signal.Signals(sig).name, last, where)
        return "interrupted"

    def test_signals_at_every_moment(self):
        d = fresh_dir("signals", "calibrate")
        t0 = time.monotonic()
        r = analyze("--model", MODEL, self.clip, *outputs(d))
        run_time = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(d)), sorted(OUTPUTS))

        points = [("delay", t) for t in (0.0, 0.01, 0.03, 0.06, 0.1, 0.15,
                                         0.25, 0.4)]
        points += [("delay", run_time * f) for f in (0.2, 0.35, 0.5, 0.65,
                                                     0.8, 0.9)]
        points += [("after", t) for t in (0.0, 0.0, 0.005, 0.01, 0.02, 0.04,
                                          0.08, 0.15)]
        outcomes = {}
        after_interrupted = 0
        for i, (kind, t) in enumerate(points):
            sig = self.SIGNALS[i % len(self.SIGNALS)]
            d = fresh_dir("signals", "p%02d" % i)
            where = "%s %s %.3f s" % (signal.Signals(sig).name, kind, t)
            if kind == "delay":
                rc, err = self.run_and_signal(d, sig, delay=t)
            else:
                rc, err = self.run_and_signal(d, sig, after_last=t)
            outcome = self.check_point(d, sig, rc, err, where)
            print("  %-28s exit %4d  %s" % (where, rc, outcome))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if kind == "after" and outcome != "finished":
                after_interrupted += 1
        # the points hit the run, not only its start or its end
        self.assertGreaterEqual(len(points), 20)
        self.assertGreaterEqual(outcomes.get("interrupted", 0), 12, outcomes)
        self.assertGreaterEqual(after_interrupted, 1,
                                "no signal came between the last frame "
                                "and the end: %s" % outcomes)

    def test_other_terminating_signals(self):
        for sig in (signal.SIGQUIT, signal.SIGPIPE, signal.SIGUSR1):
            d = fresh_dir("signals", signal.Signals(sig).name)
            rc, err = self.run_and_signal(d, sig, delay=0.5)
            self.assertEqual(self.check_point(d, sig, rc, err,
                                              signal.Signals(sig).name),
                             "interrupted")


class Sigkill(Setup):
    """SIGKILL cannot be caught: the outputs are unnamed files until the
    end, so a killed run leaves nothing; where the file system has no
    unnamed files, the next run removes what the killed one left."""

    def kill_during_run(self, d, delay):
        proc = subprocess.Popen([ANALYZE] + HAAR + ["--model", MODEL,
                                                    self.clip] + outputs(d),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=tool_env())
        time.sleep(delay)
        proc.kill()
        proc.communicate(timeout=300)
        return proc.returncode

    def test_sigkill_leaves_no_temporary_file(self):
        for i, delay in enumerate((0.3, 0.6, 1.0, 1.5)):
            d = fresh_dir("sigkill", "k%d" % i)
            rc = self.kill_during_run(d, delay)
            names = sorted(os.listdir(d))
            if rc == 0:
                self.assertEqual(names, sorted(OUTPUTS))
                continue
            self.assertEqual(rc, -signal.SIGKILL)
            self.assertEqual([n for n in names if n.startswith(".")], [],
                             "delay %.1f s" % delay)
            self.assertIn(names, ([], sorted(OUTPUTS)))
            self.assertEqual(sha(self.clip), self.clip_sha)

    def test_stale_temporary_files_are_removed_and_named(self):
        # what a killed run of an older version, or on a file system
        # without unnamed files, leaves: hidden names of the same outputs
        d = fresh_dir("sigkill", "stale")
        stale = [".a.csv.Ab3xZ9", ".a.mkv.000000", ".a.png.zzzzzz"]
        keep = [".a.csv.toolongsuffix", ".b.csv.Ab3xZ9", "a.csv.Ab3xZ9"]
        for n in stale + keep:
            with open(os.path.join(d, n), "w") as f:
                f.write("left behind\n")
        r = analyze("--model", MODEL, self.clip, *outputs(d))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(d)), sorted(OUTPUTS + tuple(keep)))
        for n in stale:
            self.assertIn("removed %s, a temporary file an earlier run left "
                          "when it was killed" % os.path.join(d, n), r.stderr)
        self.assertEqual(r.stderr.count("ddamfn-analyze: removed "), 3)


class Messages(Setup):
    def test_help_in_a_utf8_locale(self):
        r = analyze("--help", env=tool_env(LC_ALL="C.UTF-8"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[OPTION\u2026]", r.stdout)
        self.assertNotIn("?", r.stdout.split("\n")[1])
        self.assertIn("128 + N", r.stdout)

    def test_wrong_values_name_their_option(self):
        r = analyze("--model", MODEL, self.clip, "--inference-interval", "0")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--inference-interval 0", r.stderr)
        self.assertNotIn("--smoothing", r.stderr)
        r = analyze("--model", MODEL, self.clip, "--smoothing", "1.5")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--smoothing 1.5", r.stderr)
        self.assertNotIn("--inference-interval", r.stderr)

    def test_encoder_lines_stand_apart(self):
        # x264enc (gstreamer1.0-plugins-ugly) is preferred and prints
        # nothing; without it OpenH264 prints an "Error:" line on every run
        # although the video is complete.
        d = fresh_dir("encoder")
        r = analyze("--model", MODEL, self.clip, "--annotated",
                    os.path.join(d, "x264.mkv"))
        self.assertEqual(r.returncode, 0, r.stderr)
        if has_element("x264enc"):
            self.assertNotIn("a library printed", r.stderr)
        if not has_element("openh264enc"):
            self.skipTest("openh264enc absent")
        # the same without gstreamer1.0-plugins-ugly's plugins
        env = tool_env(
            GST_REGISTRY=os.path.join(d, "registry.bin"),
            GST_PLUGIN_LOADING_WHITELIST="gstreamer:gst-plugins-base:"
            "gst-plugins-good:gst-plugins-bad:gst-libav:gst-ddamfn")
        r = analyze("--model", MODEL, self.clip, "--annotated",
                    os.path.join(d, "openh264.mkv"), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        noted = [l for l in lines if "OpenH264" in l]
        self.assertGreater(len(noted), 0, r.stderr)
        for line in noted:
            self.assertTrue(line.startswith(
                "ddamfn-analyze: a library printed: [OpenH264]"), line)
        for line in lines:
            self.assertRegex(line, r"^(progress: |ddamfn-analyze: a library "
                             r"printed: )", line)
        self.assertGreater(os.path.getsize(os.path.join(d, "openh264.mkv")),
                           10000)

    def test_csv_numbers_have_six_decimals(self):
        d = fresh_dir("csv")
        out = os.path.join(d, "a.csv")
        r = analyze("--model", MODEL, self.clip, "--csv", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        header, rows = rows[0], rows[1:]
        self.assertGreater(len(rows), 10)
        real = [i for i, name in enumerate(header)
                if name in ("timestamp", "valence", "arousal")
                or (i >= 10 and not name.endswith("_active"))]
        self.assertEqual(len(real), 3 + 8 + 12)
        six = re.compile(r"^-?\d+\.\d{6}$")
        for r in rows:
            for i in real:
                self.assertRegex(r[i], six, header[i])


class Damaged(Setup):
    def run_damaged(self, path):
        d = fresh_dir("damaged", os.path.basename(path))
        r = analyze("--model", MODEL, path, "--csv", os.path.join(d, "a.csv"))
        return r, d

    def test_flipped_bytes(self):
        with open(self.clip, "rb") as f:
            data = bytearray(f.read())
        # the frames' bytes only: a damaged index (idx1, at the end) is
        # another case, in which the demuxer may find no frame at all
        end = data.rfind(b"idx1")
        self.assertGreater(end, 4096)
        rng = random.Random(13)
        for i in rng.sample(range(4096, end), 5000):
            data[i] ^= 0xFF
        bad = os.path.join(WORK, "flipped.avi")
        with open(bad, "wb") as f:
            f.write(data)
        r, d = self.run_damaged(bad)
        last = r.stderr.strip().splitlines()[-1]
        if r.returncode == 1:
            # Debian 13's FFmpeg 7 gives up on the whole stream: one clear
            # error and no output at all is the other right answer
            self.assertIn("cannot decode", last)
            self.assertIn("flipped.avi", last)
            self.assertEqual(os.listdir(d), [])
            return
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("flipped.avi looks damaged", last)
        # the duration the damaged index gives, in frames: the clip's count
        # give or take the rounding of duration × frame rate
        m = re.search(r"\d+ frames read of the (\d+) its duration", last)
        self.assertIsNotNone(m, last)
        self.assertLessEqual(abs(int(m.group(1)) - self.frames_of(self.clip)),
                             1, last)
        self.assertRegex(last, r"the decoder dropped \d+ undecodable frames")
        self.assertIn("the outputs hold the frames that were read", last)
        self.assertEqual(os.listdir(d), ["a.csv"])

    def test_index_pointing_past_the_file(self):
        # the demuxer offers the video stream, but its first frame's index
        # entry points past the end: not one frame decodes, which is not
        # the same as a file without video
        with open(self.clip, "rb") as f:
            data = bytearray(f.read())
        idx1 = data.rfind(b"idx1")
        self.assertGreater(idx1, 0)
        struct.pack_into("<I", data, idx1 + 8 + 8, 0x7fffff00)
        bad = os.path.join(WORK, "bad-index.avi")
        with open(bad, "wb") as f:
            f.write(data)
        r, d = self.run_damaged(bad)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr.strip().splitlines()[-1],
                         "ddamfn-analyze: cannot decode %s: its video stream "
                         "gave no frame that could be decoded (the file looks "
                         "damaged)" % bad)
        self.assertEqual(os.listdir(d), [])

    def test_truncated_avi_is_damaged(self):
        # GStreamer's demuxer rebuilds the lost index from what is left and
        # reports the shorter duration: the header's frame count tells
        with open(self.clip, "rb") as f:
            data = f.read()
        total = self.frames_of(self.clip)
        for percent in (25, 50, 75, 90):
            cut = os.path.join(WORK, "cut%d.avi" % percent)
            with open(cut, "wb") as f:
                f.write(data[:len(data) * percent // 100])
            r, d = self.run_damaged(cut)
            self.assertEqual(r.returncode, 3, "%d %%: %s" % (percent,
                                                             r.stderr))
            last = r.stderr.strip().splitlines()[-1]
            m = re.search(r"cut%d.avi looks damaged: (\d+) frames read of the "
                          r"(\d+) its header declares \(the file is truncated "
                          r"or its index lost\)" % percent, last)
            self.assertIsNotNone(m, last)
            self.assertLess(int(m.group(1)), total)
            self.assertEqual(int(m.group(2)), total)
            self.assertEqual(os.listdir(d), ["a.csv"])

    def test_half_a_matroska_file(self):
        # clean timestamps (a clip cut from Megamind.avi has gaps, which
        # rightly count as missing frames)
        clip = os.path.join(WORK, "clip.mkv")
        subprocess.run(["gst-launch-1.0", "-q", "videotestsrc",
                        "num-buffers=24", "pattern=ball", "!",
                        "video/x-raw,width=320,height=240,framerate=24/1",
                        "!", "jpegenc", "!", "matroskamux", "!", "filesink",
                        "location=" + clip], check=True, timeout=60,
                       env=system_env())
        with open(clip, "rb") as f:
            data = f.read()
        half = os.path.join(WORK, "half.mkv")
        with open(half, "wb") as f:
            f.write(data[:len(data) // 2])
        r, d = self.run_damaged(half)
        self.assertEqual(r.returncode, 3, r.stderr)
        m = re.search(r"(\d+) frames read of the (\d+) its duration",
                      r.stderr)
        self.assertIsNotNone(m, r.stderr)
        self.assertLess(int(m.group(1)), 20)
        self.assertEqual(int(m.group(2)), self.frames_of(clip))
        self.assertEqual(self.frames_of(clip), 24)
        with open(os.path.join(d, "a.csv")) as f:
            self.assertTrue(f.readline().startswith("frame,timestamp,"))

    def test_audio_only_file_always_ends(self):
        # the run ends when decodebin has shown every stream, not when an
        # unlinked audio pad raises an error (it did not, one run in four)
        wav = os.path.join(WORK, "tone.wav")
        subprocess.run(["gst-launch-1.0", "-q", "audiotestsrc",
                        "num-buffers=20", "!", "wavenc", "!", "filesink",
                        "location=" + wav], check=True, timeout=60,
                       env=system_env())
        d = fresh_dir("damaged", "audio")
        for _ in range(8):
            r = analyze("--model", MODEL, wav, "--csv",
                        os.path.join(d, "a.csv"), timeout=120)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr.strip().splitlines()[-1],
                             "ddamfn-analyze: cannot decode %s: no video "
                             "stream" % wav)
            self.assertEqual(os.listdir(d), [])

    def test_intact_video_is_not_called_damaged(self):
        self.assertGreaterEqual(self.frames_of(self.clip), 24)


def main():
    global ANALYZE, MODEL, WORK, DATA
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    ANALYZE, MODEL, WORK, DATA = sys.argv[1:5]
    del sys.argv[1:5]
    if not os.path.exists(os.path.join(DATA, "Megamind.avi")):
        skip("%s/Megamind.avi absent" % DATA)
    os.makedirs(WORK, exist_ok=True)
    if not has_element("facedetect"):
        skip("opencv facedetect absent (gstreamer1.0-opencv)")
    probe = os.path.join(WORK, "probe.avi")
    make_clip(probe, 2, "avimux")
    r = analyze("--model", MODEL, probe)
    if r.returncode != 0 and "cascade" in r.stderr:
        skip(r.stderr.strip())
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
