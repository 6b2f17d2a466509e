#!/usr/bin/env python3
"""Every face from Python through the GstDdamfn typelib.

1. A frame with two injected face ROIs goes through ddamfnfilter;
   GstDdamfn.buffer_get_faces() must return both faces with their boxes,
   tracks, results and AU names, equal to the "ddamfn" parameter each ROI
   carries (the element's other, typelib-free report).
2. GstDdamfn.Meta from Python on a buffer with three faces: get_faces()
   and serialize() (the JSON record).
3. The README's Python example, taken from README.md as it stands, runs on
   Megamind.avi with /usr/bin/python3 and our detector: it must print
   frame numbers in order, a frame with two faces, and with a single-task
   model no valence (the old example printed "valence +0.00").

usage: test_gi.py MODEL MODEL_SINGLE SHARED_DATA_DIR
GI_TYPELIB_PATH and LD_LIBRARY_PATH must reach the build's typelib and
library; DDAMFN_INSTALLED_MODEL_DIR names the installed models. Exits 77
(skipped) without PyGObject; part 3 is skipped without Megamind.avi or the
installed face detector.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstVideo", "1.0")
    gi.require_version("GstDdamfn", "1.0")
    from gi.repository import Gst, GstVideo, GstDdamfn
except (ImportError, ValueError) as e:
    print("SKIP: PyGObject with Gst and GstDdamfn: %s" % e)
    sys.exit(77)

MODEL = MODEL_SINGLE = DATA = None
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WIDTH, HEIGHT = 320, 240
BOXES = [(20, 30, 120, 130), (170, 60, 110, 110)]
AUS = ["AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15", "AU23",
       "AU24", "AU25", "AU26"]


def run_one_frame(model, boxes=BOXES):
    """One RGB frame with BOXES (default: the two BOXES) as face ROIs
    through ddamfnfilter; returns the output buffer."""
    pipeline = Gst.parse_launch(
        "appsrc name=src format=time caps=video/x-raw,format=RGB,"
        "width=%d,height=%d,framerate=30/1 ! ddamfnfilter model=\"%s\" ! "
        "appsink name=sink sync=false" % (WIDTH, HEIGHT, model))
    rng = random.Random(14)
    pixels = bytes(rng.randrange(256) for _ in range(WIDTH * HEIGHT * 3))
    buf = Gst.Buffer.new_wrapped(pixels)
    buf.pts = 0
    buf.duration = Gst.SECOND // 30
    for i, (x, y, w, h) in enumerate(boxes):
        roi = GstVideo.buffer_add_video_region_of_interest_meta(
            buf, "face", x, y, w, h)
        roi.id = 10 + i
    pipeline.set_state(Gst.State.PLAYING)
    src = pipeline.get_by_name("src")
    src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    sample = pipeline.get_by_name("sink").emit("pull-sample")
    pipeline.set_state(Gst.State.NULL)
    return sample.get_buffer()


class TwoFacesOfOneBuffer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.buf = run_one_frame(MODEL)
        cls.faces = GstDdamfn.buffer_get_faces(cls.buf)

    def test_both_faces_with_their_boxes(self):
        self.assertEqual(len(self.faces), 2)
        boxes = sorted((f.x, f.y, f.w, f.h) for f in self.faces)
        self.assertEqual(boxes, sorted(BOXES))
        self.assertEqual(sorted(f.roi_id for f in self.faces), [10, 11])
        self.assertEqual(sorted(f.track_id for f in self.faces), [1, 2])
        self.assertEqual([f.result_age for f in self.faces], [0, 0])

    def test_results_are_complete(self):
        for f in self.faces:
            ok, valence, arousal = f.get_valence_arousal()
            self.assertTrue(ok)
            self.assertTrue(-1 <= valence <= 1 and -1 <= arousal <= 1)
            probs = f.get_expression_probs()
            self.assertEqual(len(probs), 8)
            self.assertAlmostEqual(sum(probs), 1.0, delta=1e-5)
            label, confidence = f.get_expression()
            self.assertEqual(confidence, max(probs))
            self.assertEqual(label, f.expr_label)
            self.assertEqual(list(f.get_au_names()), AUS)
            au = f.get_au_probs()
            self.assertEqual(len(au), 12)
            # the test model's thresholds are 0.5
            self.assertEqual(list(f.get_active_aus()),
                             [n for n, p in zip(AUS, au) if p >= 0.5])
        # two different crops, two different answers
        self.assertNotEqual(list(self.faces[0].get_au_probs()),
                            list(self.faces[1].get_au_probs()))

    def test_faces_equal_the_roi_parameters(self):
        for f in self.faces:
            roi = GstVideo.buffer_get_video_region_of_interest_meta_id(
                self.buf, f.roi_id)
            self.assertIsNotNone(roi)
            st = roi.get_param("ddamfn")
            self.assertEqual(st.get_uint("track-id"), (True, f.track_id))
            self.assertEqual(st.get_int("result-age"), (True, 0))
            ok, valence, arousal = f.get_valence_arousal()
            self.assertAlmostEqual(st.get_double("valence")[1], valence,
                                   delta=6e-7)
            self.assertAlmostEqual(st.get_double("arousal")[1], arousal,
                                   delta=6e-7)
            self.assertEqual(st.get_string("expression"),
                             f.get_expression()[0])

    def test_single_task_model_has_no_valence(self):
        faces = GstDdamfn.buffer_get_faces(run_one_frame(MODEL_SINGLE))
        self.assertEqual(len(faces), 2)
        for f in faces:
            self.assertEqual(f.get_valence_arousal(), (False, 0.0, 0.0))
            self.assertEqual(len(f.get_expression_probs()), 7)
            self.assertEqual(list(f.get_au_names()), [])
            self.assertEqual(list(f.get_active_aus()), [])

    def test_buffer_without_meta_has_no_faces(self):
        self.assertEqual(GstDdamfn.buffer_get_faces(Gst.Buffer.new()), [])


class TheMetaFromPython(unittest.TestCase):
    """GstDdamfn.Meta itself: its faces and its JSON record, on a buffer
    with three faces (the faces array is a C array of structures, which
    PyGObject cannot read as a field: get_faces() returns them)."""
    BOXES3 = BOXES + [(120, 150, 64, 64)]

    @classmethod
    def setUpClass(cls):
        cls.buf = run_one_frame(MODEL, cls.BOXES3)
        cls.meta = GstDdamfn.buffer_get_ddamfn_meta(cls.buf)

    def test_get_faces_returns_every_face(self):
        self.assertEqual(self.meta.n_faces, 3)
        faces = self.meta.get_faces()
        self.assertEqual([(f.x, f.y, f.w, f.h) for f in faces], self.BOXES3)
        self.assertEqual([f.roi_id for f in faces], [10, 11, 12])
        self.assertEqual([f.track_id for f in faces], [1, 2, 3])
        via_buffer = GstDdamfn.buffer_get_faces(self.buf)
        for a, b in zip(faces, via_buffer):
            self.assertEqual(list(a.get_expression_probs()),
                             list(b.get_expression_probs()))

    def test_faces_field_does_not_crash(self):
        # an opaque address, never the "Stack overflow protection" error
        self.assertIsInstance(self.meta.faces, int)

    def test_serialize_is_the_json_record(self):
        text = self.meta.serialize(7, Gst.SECOND // 2, Gst.CLOCK_TIME_NONE,
                                   False)
        record = json.loads(text)
        self.assertEqual(record["frame"], 7)
        self.assertEqual(record["timestamp"], 0.5)
        self.assertIsNone(record["stream_time"])
        self.assertEqual([(f["x"], f["y"], f["w"], f["h"])
                          for f in record["faces"]], self.BOXES3)
        self.assertEqual([f["track_id"] for f in record["faces"]], [1, 2, 3])
        faces = self.meta.get_faces()
        for f, rec in zip(faces, record["faces"]):
            label, confidence = f.get_expression()
            self.assertEqual(rec["expression"], label)
            self.assertAlmostEqual(rec["confidence"], confidence, places=6)
        # the same text as the static function given the faces
        self.assertEqual(
            GstDdamfn.Meta.to_json(faces, 7, Gst.SECOND // 2,
                                   Gst.CLOCK_TIME_NONE, False), text)
        self.assertIn("\n", self.meta.serialize(7, 0, 0, True))


def readme_example():
    with open(os.path.join(TOP, "README.md")) as f:
        text = f.read()
    section = text.split("### Reading the results from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


LINE = re.compile(r"^frame (\d+) t=(\d+\.\d+) s track (\d+) at "
                  r"\d+,\d+ \d+x\d+: (\w+) \((\d\.\d\d)\)(.*)$")


class ReadmeExample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.video = os.path.join(DATA, "Megamind.avi")
        if not os.path.exists(cls.video):
            raise unittest.SkipTest("%s is missing" % cls.video)
        detector = os.path.join(os.environ["DDAMFN_INSTALLED_MODEL_DIR"],
                                "blazeface-full-range.safetensors")
        if not os.path.exists(detector):
            raise unittest.SkipTest("%s is not installed (the example uses "
                                    "the installed detector)" % detector)
        cls.script = tempfile.NamedTemporaryFile("w", suffix=".py",
                                                 delete=False)
        cls.script.write(readme_example())
        cls.script.close()

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.script.name)

    def run_example(self, model):
        env = dict(os.environ)
        env.pop("GST_DEBUG", None)
        # as the README says: Debian's interpreter
        r = subprocess.run(["/usr/bin/python3", self.script.name, self.video,
                            model], capture_output=True, text=True,
                           timeout=600, env=env)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        lines = r.stdout.splitlines()
        self.assertGreater(len(lines), 100)
        parsed = [LINE.match(line) for line in lines]
        self.assertTrue(all(parsed), [l for l, m in zip(lines, parsed)
                                      if not m][:3])
        return parsed

    def test_prints_every_face_of_every_frame(self):
        parsed = self.run_example(MODEL)
        by_frame = {}
        for m in parsed:
            by_frame.setdefault(int(m.group(1)), []).append(int(m.group(3)))
            self.assertIn("valence", m.group(6))
        two = [t for t, tracks in by_frame.items() if len(set(tracks)) >= 2]
        self.assertTrue(two, "no frame with two faces printed")
        # frame numbers count from 0 in stream order, one time per frame
        frames = [int(m.group(1)) for m in parsed]
        self.assertEqual(frames, sorted(frames))
        self.assertLess(frames[0], 10)
        self.assertGreater(frames[-1], 200)   # Megamind.avi has 270 frames
        times = {}
        for m in parsed:
            times.setdefault(int(m.group(1)), set()).add(m.group(2))
        self.assertTrue(all(len(t) == 1 for t in times.values()))

    def test_single_task_model_prints_no_valence(self):
        for m in self.run_example(MODEL_SINGLE):
            self.assertNotIn("valence", m.group(6))


if __name__ == "__main__":
    MODEL, MODEL_SINGLE, DATA = sys.argv[1:4]
    Gst.init(None)
    unittest.main(argv=sys.argv[:1], verbosity=2)
