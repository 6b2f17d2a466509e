#!/usr/bin/env python3
"""Our faces and results through GStreamer's own analytics typelib
(GstAnalytics-1.0, GStreamer 1.24 and later), as a consumer that knows
nothing of gst-ddamfn reads them.

1. messi5.jpg through ddamfnfacedetect (the real BlazeFace model) and
   ddamfnfilter: every face is an object detection of type "face" with a
   classification related to it whose labels and levels are the
   expression probabilities GstDdamfn reports (top label = its expression)
   and a tracking entry whose id is the face's track id.
2. Faces given to ddamfnfilter only as object detections (no ROI meta, the
   way another detector publishes them) are analysed, each once.

usage: test_analytics_gi.py MODEL DETECTOR_MODEL SHARED_DATA_DIR
GI_TYPELIB_PATH and LD_LIBRARY_PATH must reach the build's typelib. Fails
(never skips) without the typelibs: the interop must be tested where the
analytics library is built.
"""
import os
import random
import sys
import unittest

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstAnalytics", "1.0")
gi.require_version("GstDdamfn", "1.0")
from gi.repository import GLib, Gst, GstAnalytics, GstDdamfn  # noqa: E402

MODEL = DETECTOR = DATA = None
WIDTH, HEIGHT = 320, 240


def entries(rmeta, kind):
    """The entries of RMETA of class KIND (GstAnalytics.ODMtd, ...)."""
    return [m for m in rmeta if isinstance(m, kind)]


def related(rmeta, first, kind, rel):
    """Entries of class KIND that FIRST relates to with relation REL."""
    return [m for m in entries(rmeta, kind)
            if rmeta.get_relation(first.id, m.id) & rel]


def run(description, push=None):
    """Runs DESCRIPTION (ending in an appsink named sink) and returns the
    first buffer; PUSH(appsrc) feeds an appsrc named src."""
    pipeline = Gst.parse_launch(description)
    pipeline.set_state(Gst.State.PLAYING)
    if push:
        push(pipeline.get_by_name("src"))
    sample = pipeline.get_by_name("sink").emit("try-pull-sample",
                                               60 * Gst.SECOND)
    pipeline.set_state(Gst.State.NULL)
    assert sample is not None, "no buffer from " + description
    return sample.get_buffer()


class FacesOfARealPhoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        photo = os.path.join(DATA, "messi5.jpg")
        cls.buf = run(
            'filesrc location="%s" ! jpegdec ! videoconvert ! '
            'ddamfnfacedetect model="%s" ! ddamfnfilter model="%s" ! '
            'appsink name=sink sync=false' % (photo, DETECTOR, MODEL))
        cls.rmeta = GstAnalytics.buffer_get_analytics_relation_meta(cls.buf)
        cls.faces = GstDdamfn.buffer_get_faces(cls.buf)

    def test_every_face_is_a_detection_of_type_face(self):
        self.assertIsNotNone(self.rmeta)
        ods = entries(self.rmeta, GstAnalytics.ODMtd)
        self.assertGreaterEqual(len(ods), 1)
        self.assertEqual(len(ods), len(self.faces))
        boxes = sorted(od.get_location()[1:5] for od in ods)
        self.assertEqual(boxes, sorted((f.x, f.y, f.w, f.h)
                                       for f in self.faces))
        for od in ods:
            self.assertEqual(GLib.quark_to_string(od.get_obj_type()), "face")
            ok, conf = od.get_confidence_lvl()
            self.assertTrue(ok)
            self.assertTrue(0.5 <= conf <= 1.0, conf)

    def test_classification_is_our_expression(self):
        for od in entries(self.rmeta, GstAnalytics.ODMtd):
            _, x, y, w, h, _ = od.get_location()
            face, = [f for f in self.faces
                     if (f.x, f.y, f.w, f.h) == (x, y, w, h)]
            cls, = related(self.rmeta, od, GstAnalytics.ClsMtd,
                           GstAnalytics.RelTypes.CONTAIN)
            probs = face.get_expression_probs()
            self.assertEqual(cls.get_length(), len(probs))
            levels = [cls.get_level(i) for i in range(cls.get_length())]
            self.assertEqual(levels, list(probs))
            top = max(range(len(levels)), key=levels.__getitem__)
            self.assertEqual(GLib.quark_to_string(cls.get_quark(top)),
                             face.get_expression()[0])
            # and back from the classification to its face
            self.assertTrue(self.rmeta.get_relation(cls.id, od.id)
                            & GstAnalytics.RelTypes.IS_PART_OF)

    def test_tracking_id_is_our_track(self):
        for od in entries(self.rmeta, GstAnalytics.ODMtd):
            _, x, y, w, h, _ = od.get_location()
            face, = [f for f in self.faces
                     if (f.x, f.y, f.w, f.h) == (x, y, w, h)]
            trk, = related(self.rmeta, od, GstAnalytics.TrackingMtd,
                           GstAnalytics.RelTypes.RELATE_TO)
            ok, track_id, first, last, lost = trk.get_info()
            self.assertTrue(ok)
            self.assertEqual(track_id, face.track_id)
            self.assertFalse(lost)


class FacesGivenOnlyAsDetections(unittest.TestCase):
    BOXES = [(20, 30, 120, 130), (170, 60, 110, 110)]

    def test_each_detection_analysed_once(self):
        def push(src):
            rng = random.Random(3)
            buf = Gst.Buffer.new_wrapped(
                bytes(rng.randrange(256) for _ in range(WIDTH * HEIGHT * 3)))
            buf.pts = 0
            buf.duration = Gst.SECOND // 30
            rmeta = GstAnalytics.buffer_add_analytics_relation_meta(buf)
            for x, y, w, h in self.BOXES:
                ok, _ = rmeta.add_od_mtd(GLib.quark_from_string("face"),
                                         x, y, w, h, 0.9)
                self.assertTrue(ok)
            src.emit("push-buffer", buf)
            src.emit("end-of-stream")

        buf = run("appsrc name=src format=time caps=video/x-raw,format=RGB,"
                  "width=%d,height=%d,framerate=30/1 ! ddamfnfilter "
                  'model="%s" ! appsink name=sink sync=false'
                  % (WIDTH, HEIGHT, MODEL), push)
        faces = GstDdamfn.buffer_get_faces(buf)
        self.assertEqual(sorted((f.x, f.y, f.w, f.h) for f in faces),
                         sorted(self.BOXES))
        self.assertEqual([f.roi_id for f in faces], [-1, -1])
        rmeta = GstAnalytics.buffer_get_analytics_relation_meta(buf)
        self.assertEqual(len(entries(rmeta, GstAnalytics.ODMtd)), 2)
        self.assertEqual(len(entries(rmeta, GstAnalytics.ClsMtd)), 2)
        self.assertEqual(len(entries(rmeta, GstAnalytics.TrackingMtd)), 2)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    MODEL, DETECTOR, DATA = sys.argv[1:4]
    Gst.init(None)
    unittest.main(argv=sys.argv[:1], verbosity=2)
