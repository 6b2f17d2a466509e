#!/usr/bin/env python3
"""Real face crops for the TensorFlow.js parity test: faces found by
OpenCV's stock `facedetect` element in frames of Megamind.avi, cut out and
prepared as the FER2013 mini-Xception takes them (docs/graph-models.md):
bilinear resize of the box to 64 x 64, grey = 0.2989 R + 0.5870 G +
0.1140 B on [0, 1], value = (grey - 0.5) * 2; written as float32 NHWC
[N, 64, 64, 1].

usage: face_crops.py VIDEO OUT.f32 [MAX_FACES]
Exits 1 with a message when GStreamer, facedetect or the video is missing,
or when no face is found: the parity test must not pass without faces.
"""
import re
import sys

import numpy as np

FACE = re.compile(r"x=\(uint\)(\d+), y=\(uint\)(\d+), "
                  r"width=\(uint\)(\d+), height=\(uint\)(\d+)")

SIDE = 64


def fail(msg):
    print("face_crops.py: " + msg, file=sys.stderr)
    sys.exit(1)


def bilinear(img, x, y, w, h):
    """The box (x, y, w, h) of img (H x W x 3 floats) resized to SIDE x SIDE
    with half-pixel centres, edges clamped."""
    H, W = img.shape[:2]
    ys = y + (np.arange(SIDE) + 0.5) * h / SIDE - 0.5
    xs = x + (np.arange(SIDE) + 0.5) * w / SIDE - 0.5
    ys = np.clip(ys, 0, H - 1)
    xs = np.clip(xs, 0, W - 1)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, H - 1)
    x1 = np.minimum(x0 + 1, W - 1)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bot = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy) + bot * fy


def frame_size(caps):
    """Width and height of video caps. GStreamer 1.26's Python overrides
    hand out a caps' structure as a context manager; 1.22's directly."""
    s = caps.get_structure(0)
    if hasattr(s, "__enter__"):
        with s as st:
            return st.get_value("width"), st.get_value("height")
    return s.get_value("width"), s.get_value("height")


def main():
    if len(sys.argv) < 3:
        fail("usage: face_crops.py VIDEO OUT.f32 [MAX_FACES]")
    video, out = sys.argv[1], sys.argv[2]
    max_faces = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    try:
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
    except (ImportError, ValueError) as e:
        fail("PyGObject with GStreamer is needed (python3-gi, "
             "gir1.2-gstreamer-1.0): %s" % e)
    Gst.init(None)
    if Gst.ElementFactory.find("facedetect") is None:
        fail("OpenCV's facedetect element is needed (gstreamer1.0-opencv)")
    pipe = Gst.parse_launch(
        "filesrc name=src ! decodebin ! videoconvert ! "
        "video/x-raw,format=RGB ! facedetect display=false "
        "min-size-width=40 min-size-height=40 ! "
        "appsink name=sink sync=false max-buffers=4")
    pipe.get_by_name("src").set_property("location", video)
    sink = pipe.get_by_name("sink")
    bus = pipe.get_bus()
    pipe.set_state(Gst.State.PLAYING)
    try:
        crops, frame = collect(Gst, sink, bus, video, max_faces)
    finally:
        # also on an exception: a pipeline left PLAYING hangs the exit
        pipe.set_state(Gst.State.NULL)
    if not crops:
        fail("no face found in %s" % video)
    np.array(crops, dtype="<f4").reshape(len(crops), SIDE, SIDE, 1).tofile(out)
    print("%d face crops from %d frames of %s" % (len(crops), frame, video))


def collect(Gst, sink, bus, video, max_faces):
    """Pulls frames until MAX_FACES crops are cut or the video ends."""
    faces_at = {}
    crops = []
    frame = 0
    while len(crops) < max_faces:
        sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
        while True:
            msg = bus.pop_filtered(Gst.MessageType.ELEMENT |
                                   Gst.MessageType.ERROR)
            if msg is None:
                break
            if msg.type == Gst.MessageType.ERROR:
                fail("decoding %s: %s" % (video, msg.parse_error()[0].message))
            s = msg.get_structure()
            if s.get_name() == "facedetect":
                # PyGObject cannot read the GstValueList of faces: its text
                text = s.to_string().replace("\\", "")
                faces_at[s.get_value("timestamp")] = [
                    tuple(int(v) for v in m) for m in FACE.findall(text)]
        if sample is None:
            break
        frame += 1
        buf = sample.get_buffer()
        boxes = faces_at.pop(buf.pts, [])
        # every 5th frame with faces: different faces and expressions
        if not boxes or frame % 5:
            continue
        w, h = frame_size(sample.get_caps())
        ok, info = buf.map(Gst.MapFlags.READ)
        stride = (w * 3 + 3) // 4 * 4
        rows = np.frombuffer(info.data, np.uint8)[:stride * h]
        img = rows.reshape(h, stride)[:, :w * 3].reshape(h, w, 3)
        img = img.astype(np.float64) / 255.0
        buf.unmap(info)
        for (x, y, bw, bh) in boxes:
            rgb = bilinear(img, x, y, bw, bh)
            grey = rgb[..., 0] * 0.2989 + rgb[..., 1] * 0.5870 + \
                rgb[..., 2] * 0.1140
            crops.append((grey - 0.5) * 2)
            if len(crops) == max_faces:
                break
    return crops, frame


if __name__ == "__main__":
    main()
