#!/usr/bin/env python3
"""Every gst-launch-1.0 pipeline of README.md, run as written, headless.

Each ```sh block of the README that starts with gst-launch-1.0 is run by
bash exactly as a user pastes it, from a project directory whose
../shared/data holds the sample files, with no display (DISPLAY and
WAYLAND_DISPLAY removed). It must exit 0, say nothing on stderr that looks
like a failure, and leave what it promises: every file named by a
filesink non-empty (a .jsonl with one record per frame of Megamind.avi, a
.mkv that decodes to all of its frames), and the -m example's ddamfn
messages on stdout.

usage: test_readme.py README SHARED_DATA_DIR MODEL INSTALLED_MODEL_DIR
The DDAMFN model comes from DDAMFN_MODEL (the README's pipelines name
none); the detector is the installed one, as in the README: skipped (77)
without it.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

README = DATA = MODEL = MODEL_DIR = None
MEGAMIND_FRAMES = 270


def readme_pipelines():
    """The README's sh blocks that start with gst-launch-1.0, in order."""
    with open(README) as f:
        text = f.read()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [b for b in blocks if b.lstrip().startswith("gst-launch-1.0")]


def count_frames(path, width=720, height=528):
    """Frames of WIDTH x HEIGHT that decode from PATH (a video file)."""
    raw = path + ".gray"
    r = subprocess.run(
        ["gst-launch-1.0", "-q", "filesrc", "location=" + path, "!",
         "decodebin", "!", "videoconvert", "!",
         "video/x-raw,format=GRAY8", "!", "filesink", "location=" + raw],
        capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return -1
    n = os.path.getsize(raw) // (width * height)
    os.unlink(raw)
    return n


class ReadmePipelines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pipelines = readme_pipelines()
        cls.tmp = tempfile.TemporaryDirectory()
        # PROJECT/../shared/data as in the README, outputs in PROJECT
        cls.project = os.path.join(cls.tmp.name, "gst-ddamfn")
        os.mkdir(cls.project)
        os.mkdir(os.path.join(cls.tmp.name, "shared"))
        os.symlink(os.path.abspath(DATA),
                   os.path.join(cls.tmp.name, "shared", "data"))
        cls.env = dict(os.environ)
        for k in ("DISPLAY", "WAYLAND_DISPLAY", "GST_DEBUG"):
            cls.env.pop(k, None)
        cls.env["DDAMFN_MODEL"] = os.path.abspath(MODEL)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_readme_has_the_pipelines(self):
        self.assertGreaterEqual(len(self.pipelines), 4)

    def test_no_pipeline_needs_a_display(self):
        for p in self.pipelines:
            for sink in ("autovideosink", "xvimagesink", "ximagesink",
                         "glimagesink", "waylandsink"):
                self.assertNotIn(sink, p)

    def test_every_pipeline_runs_as_written(self):
        for i, p in enumerate(self.pipelines):
            with self.subTest(pipeline=i):
                self.run_pipeline(p)

    def run_pipeline(self, text):
        outputs = re.findall(r"filesink location=(\S+)", text)
        for o in outputs:
            path = os.path.join(self.project, o)
            if os.path.exists(path):
                os.unlink(path)
        r = subprocess.run(["bash", "-c", text], cwd=self.project,
                           env=self.env, capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(r.returncode, 0, "%s\n%s" % (text, r.stderr[-2000:]))
        self.assertNotRegex(r.stderr, r"(?i)\berror\b|critical|segmentation")
        for o in outputs:
            path = os.path.join(self.project, o)
            self.assertGreater(os.path.getsize(path), 0, o)
            if o.endswith(".jsonl"):
                with open(path) as f:
                    records = [json.loads(line) for line in f]
                self.assertEqual(len(records), MEGAMIND_FRAMES)
                self.assertTrue(any(r["faces"] for r in records))
            elif o.endswith(".mkv"):
                self.assertEqual(count_frames(path), MEGAMIND_FRAMES)
        if " -m " in text or "-m \\" in text:
            lines = r.stdout.splitlines()
            self.assertTrue(lines, "no message printed")
            self.assertTrue(all("ddamfn," in line for line in lines))
            # gst-launch prints the faces escaped: expression\=\(string\)
            self.assertRegex(r.stdout, r"expression\W*=\W*\(string\W*\)")


class PluginMetadata(unittest.TestCase):
    """What gst-inspect-1.0 shows a new user: the version set once in
    meson.build (the README and the headers speak of it), an origin and
    authors instead of GStreamer's placeholders."""

    def test_version_origin_and_author(self):
        with open(os.path.join(os.path.dirname(README), "meson.build")) as f:
            version = re.search(r"project\('gst-ddamfn', 'c',\s*version : "
                                r"'([0-9.]+)'", f.read()).group(1)
        r = subprocess.run(["gst-inspect-1.0", "ddamfn"], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\n\s*Version\s+%s\n" %
                         re.escape(version))
        self.assertNotIn("Unknown package origin", r.stdout)
        self.assertRegex(r.stdout, r"Origin URL\s+\S")
        for element in ("ddamfnfilter", "ddamfnfacedetect", "ddamfnoverlay"):
            r = subprocess.run(["gst-inspect-1.0", element],
                               capture_output=True, text=True, timeout=120)
            author = re.search(r"Author\s+(.*)", r.stdout).group(1)
            self.assertIn("README.md", author)


if __name__ == "__main__":
    README, DATA, MODEL, MODEL_DIR = sys.argv[1:5]
    detector = os.path.join(MODEL_DIR, "blazeface-full-range.safetensors")
    if not os.path.exists(detector):
        print("SKIP: the README's pipelines use the installed detector; "
              "%s is missing" % detector)
        sys.exit(77)
    unittest.main(argv=sys.argv[:1], verbosity=2)
