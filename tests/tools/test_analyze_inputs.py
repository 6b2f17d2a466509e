"""ddamfn-analyze reads more than files (issue 21): a file:// URI, an
http:// URI served by a test host on loopback (a stream that ends, and a
slow one ended by Ctrl-C with every output written), --duration, and the
errors of a character device that is no capture device, an unknown
protocol and a wrong --duration. Other signals still leave no output.

usage: test_analyze_inputs.py PATH/TO/ddamfn-analyze MODEL WORKDIR SHARED_DATA
Needs no PyGObject. Exits 77 (skipped) without Megamind.avi, opencv's
facedetect or souphttpsrc.
"""
import csv
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import toolenv  # noqa: E402
from toolenv import skip, tool_env  # noqa: E402
from streamserver import Server  # noqa: E402

ANALYZE = MODEL = WORK = DATA = None
HAAR = ["--detector", "opencv"]
RATE = 2997 / 125               # Megamind.avi's frames per second


def has_element(name):
    return toolenv.has_element(name, WORK)


def fresh_dir(*parts):
    return toolenv.fresh_dir(WORK, *parts)


def outputs(d):
    return ["--csv", os.path.join(d, "a.csv"),
            "--jsonl", os.path.join(d, "a.jsonl"),
            "--plot", os.path.join(d, "a.png")]


def rows(d):
    with open(os.path.join(d, "a.csv"), newline="") as f:
        return list(csv.reader(f))[1:]


class Inputs(unittest.TestCase):
    def analyze(self, *args, timeout=600):
        return subprocess.run([ANALYZE] + HAAR + ["--model", MODEL]
                              + list(args), capture_output=True, text=True,
                              timeout=timeout, env=tool_env())

    def test_file_uri_with_duration(self):
        d = fresh_dir("file-uri")
        uri = "file://" + os.path.join(DATA, "Megamind.avi")
        r = self.analyze(uri, "--duration", "2", *outputs(d))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--duration 2 s reached", r.stdout)
        self.assertNotIn("damaged", r.stderr)
        got = rows(d)
        self.assertGreater(len(got), 0)
        frames = {int(row[0]) for row in got}
        # the frames whose time is below 2 s, and no more
        self.assertEqual(max(frames), int(2 * RATE - 1e-9))
        self.assertTrue(all(float(row[1]) < 2.0 for row in got))
        n = int(re.search(r": (\d+) frames in", r.stdout).group(1))
        self.assertEqual(n, int(2 * RATE - 1e-9) + 1)
        self.assertTrue(os.path.getsize(os.path.join(d, "a.png")) > 0)
        self.assertEqual(sorted(os.listdir(d)), ["a.csv", "a.jsonl",
                                                 "a.png"])

    def test_http_uri_to_its_end(self):
        server = Server(os.path.join(DATA, "Megamind.avi"))
        try:
            d = fresh_dir("http")
            r = self.analyze(server.url, *outputs(d))
        finally:
            server.close()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(server.url + ": 270 frames in", r.stdout)
        self.assertEqual(max(int(row[0]) for row in rows(d)), 269)

    def run_slow_stream(self, d, sig, after=4.0):
        """Starts a run on a stream served at about its own bit rate and
        sends SIG after AFTER seconds."""
        server = Server(os.path.join(DATA, "Megamind.avi"), rate=100000)
        try:
            p = subprocess.Popen([ANALYZE] + HAAR + ["--model", MODEL,
                                                     server.url] + outputs(d),
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 env=tool_env())
            time.sleep(after)
            self.assertIsNone(p.poll(), "the run ended before the signal")
            p.send_signal(sig)
            out, err = p.communicate(timeout=60)
        finally:
            server.close()
        return p.returncode, out, err

    def test_ctrl_c_ends_a_stream_with_every_output(self):
        d = fresh_dir("sigint")
        code, out, err = self.run_slow_stream(d, signal.SIGINT)
        self.assertEqual(code, 0, err)
        self.assertIn("SIGINT: ending the run here and writing the outputs",
                      err)
        self.assertIn("stopped by SIGINT", out)
        self.assertNotIn("damaged", err)
        self.assertEqual(sorted(os.listdir(d)), ["a.csv", "a.jsonl",
                                                 "a.png"])
        n = int(re.search(r": (\d+) frames in", out).group(1))
        # some frames (how many depends on the build's speed: a sanitizer
        # build reads few in 4 s), fewer than the whole video
        self.assertGreaterEqual(n, 1)
        self.assertLess(n, 270)
        got = rows(d)
        self.assertTrue(all(int(row[0]) < n for row in got))
        with open(os.path.join(d, "a.jsonl")) as f:
            self.assertEqual(len(f.readlines()), len(got))

    def test_sigterm_on_a_stream_leaves_no_output(self):
        d = fresh_dir("sigterm")
        code, out, err = self.run_slow_stream(d, signal.SIGTERM)
        self.assertEqual(code, 128 + signal.SIGTERM, err)
        self.assertIn("interrupted by SIGTERM; no output written", err)
        self.assertEqual(os.listdir(d), [])

    def test_character_device_that_captures_nothing(self):
        d = fresh_dir("device")
        r = self.analyze("/dev/null", *outputs(d))
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith(
            "ddamfn-analyze: cannot read /dev/null: "), r.stderr)
        self.assertEqual(os.listdir(d), [])

    def test_unknown_protocol(self):
        d = fresh_dir("protocol")
        r = self.analyze("nosuch://host/video", *outputs(d))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.strip(),
                         "ddamfn-analyze: nosuch://host/video: no installed "
                         "GStreamer element reads nosuch:// URIs (rtsp:// "
                         "and http:// come with gstreamer1.0-plugins-good)")
        self.assertEqual(os.listdir(d), [])

    def test_bad_duration(self):
        for value in ("-1", "nan"):
            r = self.analyze(os.path.join(DATA, "Megamind.avi"),
                             "--duration", value)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--duration", r.stderr)

    def test_missing_file_and_uri(self):
        r = self.analyze(os.path.join(WORK, "nothing.avi"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing.avi: no such file", r.stderr)
        r = self.analyze("file://" + os.path.join(WORK, "nothing.avi"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing.avi: no such file", r.stderr)


def main():
    global ANALYZE, MODEL, WORK, DATA
    ANALYZE, MODEL, WORK, DATA = sys.argv[1:5]
    del sys.argv[1:5]
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(os.path.join(DATA, "Megamind.avi")):
        skip("no Megamind.avi")
    for element in ("facedetect", "souphttpsrc", "avidemux"):
        if not has_element(element):
            skip("no %s" % element)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
