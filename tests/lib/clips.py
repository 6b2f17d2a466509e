"""Test clips cut from a real video with an exact number of frames.

Cutting with identity's eos-after is not exact (the decoder's threads let
one to a few frames more by, more under load), and a gst-launch-1.0 cutting
that way once hung for minutes in a CI sanitizer run (cause not found).
Here every frame of the source (Megamind.avi's 270 take
under a second) is written as a numbered JPEG file, and the clip is then
muxed from exactly the first FRAMES of them by multifilesrc, whose
stop-index is exact and whose timestamps follow the stated frame rate.
"""
import glob
import os
import shutil
import subprocess


# Megamind.avi's frame rate, as its AVI header gives it
MEGAMIND_RATE = "2997/125"


def make_clip(source, path, frames, mux="avimux", quality=90, env=None,
              framerate=MEGAMIND_RATE):
    """Writes the first FRAMES frames of SOURCE to PATH as MJPEG in MUX
    (an element name such as avimux or matroskamux); the file appears
    complete or not at all."""
    work = path + ".frames"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    try:
        subprocess.run(
            ["gst-launch-1.0", "-q", "filesrc", "location=" + source, "!",
             "decodebin", "!", "videoconvert", "!", "jpegenc",
             "quality=%d" % quality, "!", "multifilesink",
             "location=" + os.path.join(work, "%05d.jpg")],
            check=True, capture_output=True, timeout=300, env=env)
        have = len(glob.glob(os.path.join(work, "*.jpg")))
        if have < frames:
            raise RuntimeError("%s: %d frames decoded, %d wanted"
                               % (source, have, frames))
        part = path + ".part"
        subprocess.run(
            ["gst-launch-1.0", "-q", "multifilesrc",
             "location=" + os.path.join(work, "%05d.jpg"), "index=0",
             "stop-index=%d" % (frames - 1),
             "caps=image/jpeg,framerate=%s" % framerate, "!", "jpegparse",
             "!", mux, "!", "filesink", "location=" + part],
            check=True, capture_output=True, timeout=300, env=env)
        os.rename(part, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path
