#!/usr/bin/env python3
"""ddamfn-analyze as a user runs it, on the first 60 frames of
Megamind.avi: the CSV header and every value against the JSON Lines and
against what ddamfnfilter itself reports for the same frames, the annotated
video against the input, the PNG, the options, and every error ending with
one message, a non-zero exit and no output file.

usage: test_analyze.py PATH/TO/ddamfn-analyze MODEL WORKDIR SHARED_DATA_DIR
Exits 77 (skipped) without Megamind.avi, opencv's facedetect and its
cascade, or PyGObject with GStreamer.
"""
import csv
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import clips  # noqa: E402
from toolenv import skip, tool_env  # noqa: E402

ANALYZE = MODEL = WORK = DATA = None
Gst = None
# The records are checked against facedetect's own faces: these tests run
# the Haar cascade; BlazeDefault below runs the default detector.
HAAR = ["--detector", "opencv"]
CLIP_FRAMES = 60
WIDTH, HEIGHT = 720, 528

LABELS = ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry",
          "Contempt"]
AUS = ["AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15", "AU23",
       "AU24", "AU25", "AU26"]
HEADER = (["frame", "timestamp", "track_id", "x", "y", "w", "h", "valence",
           "arousal", "expression"] + LABELS + [a + "_prob" for a in AUS]
          + [a + "_active" for a in AUS])


def analyze(*args, timeout=600):
    return subprocess.run([ANALYZE] + HAAR + list(args), capture_output=True,
                          text=True, timeout=timeout, env=tool_env())


def run_pipeline(description, on_message=None, sink_name=None,
                 on_sample=None):
    """Runs a gst-launch style DESCRIPTION to EOS in this process."""
    pipeline = Gst.parse_launch(description)
    if sink_name:
        sink = pipeline.get_by_name(sink_name)
        sink.set_property("emit-signals", False)
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    types = Gst.MessageType.EOS | Gst.MessageType.ERROR | \
        Gst.MessageType.ELEMENT
    try:
        while True:
            if sink_name:
                sample = sink.emit("try-pull-sample", 0)
                while sample is not None:
                    on_sample(sample)
                    sample = sink.emit("try-pull-sample", 0)
                if sink.get_property("eos"):
                    break
                msg = bus.timed_pop_filtered(10 * Gst.MSECOND, types)
            else:
                msg = bus.timed_pop_filtered(300 * Gst.SECOND, types)
                if msg is None:
                    raise AssertionError("pipeline timed out")
            if msg is None:
                continue
            if msg.type == Gst.MessageType.ERROR:
                raise AssertionError(msg.parse_error()[0].message)
            if msg.type == Gst.MessageType.EOS:
                break
            if on_message:
                on_message(msg)
    finally:
        pipeline.set_state(Gst.State.NULL)


def decode_rgb(path):
    """Every frame of PATH as packed RGB bytes."""
    frames = []

    def take(sample):
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        frames.append(bytes(info.data))
        buf.unmap(info)

    run_pipeline("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                 "video/x-raw,format=RGB,width=%d,height=%d ! "
                 "appsink name=sink sync=false" % (path, WIDTH, HEIGHT),
                 sink_name="sink", on_sample=take)
    return frames


def mean_abs_diff(a, b, x0, y0, x1, y1):
    total = n = 0
    for y in range(y0, y1):
        row = (y * WIDTH) * 3
        for i in range(row + x0 * 3, row + x1 * 3):
            total += abs(a[i] - b[i])
            n += 1
    return total / n


def listing(path):
    return sorted(os.listdir(path))


def make_clip():
    """The first CLIP_FRAMES frames of Megamind.avi as MJPEG in AVI (every
    frame kept, clean timestamps), made once."""
    clip = os.path.join(WORK, "clip.avi")
    if not os.path.exists(clip):
        clips.make_clip(os.path.join(DATA, "Megamind.avi"), clip,
                        CLIP_FRAMES, quality=95)
    return clip


class Analyze(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clip = make_clip()
        cls.original = decode_rgb(cls.clip)
        cls.n_frames = len(cls.original)
        cls.out = os.path.join(WORK, "out")
        shutil.rmtree(cls.out, ignore_errors=True)
        os.makedirs(cls.out)
        cls.paths = {k: os.path.join(cls.out, "a." + k)
                     for k in ("csv", "jsonl", "mkv", "png")}
        t0 = time.monotonic()
        cls.result = analyze("--model", MODEL, cls.clip,
                             "--csv", cls.paths["csv"],
                             "--jsonl", cls.paths["jsonl"],
                             "--annotated", cls.paths["mkv"],
                             "--plot", cls.paths["png"])
        cls.seconds = time.monotonic() - t0
        if cls.result.returncode == 0:
            with open(cls.paths["csv"], newline="") as f:
                cls.rows = list(csv.reader(f))
            with open(cls.paths["jsonl"]) as f:
                cls.records = [json.loads(line) for line in f]

    def setUp(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)

    # -- the records ---------------------------------------------------

    def test_csv_header(self):
        self.assertEqual(self.rows[0], HEADER)

    def test_one_row_per_face_per_frame(self):
        rows = self.rows[1:]
        self.assertEqual(self.n_frames, CLIP_FRAMES)
        self.assertGreater(len(rows), self.n_frames // 2)
        keys = [(int(r[0]), int(r[2])) for r in rows]
        self.assertEqual(len(keys), len(set(keys)), "a face twice in a frame")
        # by frame, then by face
        self.assertEqual(keys, sorted(keys))
        frames = [k[0] for k in keys]
        self.assertTrue(all(0 <= f < self.n_frames for f in frames))
        self.assertIn("%d frames in" % self.n_frames, self.result.stdout)
        self.assertIn("%d records" % len(rows), self.result.stdout)

    def test_rows_are_consistent(self):
        for r in self.rows[1:]:
            probs = [float(v) for v in r[10:18]]
            self.assertAlmostEqual(sum(probs), 1.0, delta=1e-4)
            self.assertEqual(r[9], LABELS[probs.index(max(probs))])
            self.assertTrue(-1 <= float(r[7]) <= 1 and -1 <= float(r[8]) <= 1)
            x, y, w, h = (int(v) for v in r[3:7])
            self.assertTrue(w > 0 and h > 0 and x + w <= WIDTH and
                            y + h <= HEIGHT)
            self.assertTrue(all(v in ("0", "1") for v in r[30:42]))
            # the test model's AU thresholds are 0.5
            for p, active in zip(r[18:30], r[30:42]):
                self.assertEqual(active, "1" if float(p) >= 0.5 else "0")

    def test_jsonl_holds_the_same_records(self):
        rows = self.rows[1:]
        self.assertEqual(len(self.records), len(rows))
        for r, j in zip(rows, self.records):
            self.assertEqual(j["frame"], int(r[0]))
            self.assertEqual(j["timestamp"], float(r[1]))
            self.assertEqual(j["track_id"], int(r[2]))
            self.assertEqual(j["result_age"], 0)
            self.assertEqual([j["x"], j["y"], j["w"], j["h"]],
                             [int(v) for v in r[3:7]])
            self.assertEqual(j["valence"], float(r[7]))
            self.assertEqual(j["arousal"], float(r[8]))
            self.assertEqual(j["expression"], r[9])
            self.assertEqual(j["expression_index"], LABELS.index(r[9]))
            self.assertEqual(j["expression_probs"],
                             [float(v) for v in r[10:18]])
            self.assertEqual(j["confidence"],
                             j["expression_probs"][j["expression_index"]])
            self.assertEqual(j["au_probs"], [float(v) for v in r[18:30]])
            self.assertEqual(j["au_active"],
                             [a for a, v in zip(AUS, r[30:42]) if v == "1"])

    def test_jsonl_validates_against_the_schema(self):
        here = os.path.dirname(os.path.abspath(__file__))
        schema = os.path.join(here, "..", "..", "docs",
                              "ddamfn-record.schema.json")
        validator = os.path.join(here, "..", "lib", "validate_records.py")
        r = subprocess.run([sys.executable, validator, schema,
                            self.paths["jsonl"], "face_row"],
                           capture_output=True, text=True)
        if r.returncode == 77:
            self.skipTest(r.stderr.strip())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("%d records, 0 problems" % len(self.records), r.stdout)

    def test_values_match_what_the_filter_reports(self):
        # The same frames through facedetect and ddamfnfilter in this
        # process; the filter's element message carries every face.
        frames = []

        def on_message(msg):
            s = msg.get_structure()
            if s is None or s.get_name() != "ddamfn":
                return
            ok, faces = s.get_list("faces")
            frames.append((s.get_uint64("timestamp")[1],
                           [faces.get_nth(i).copy()
                            for i in range(faces.n_values)]))

        run_pipeline("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                     "facedetect display=false updates=none ! "
                     "ddamfnfilter model=\"%s\" post-messages=true ! "
                     "fakesink sync=false" % (self.clip, MODEL),
                     on_message=on_message)
        self.assertEqual(len(frames), self.n_frames)
        # facedetect lists the faces of a frame in no fixed order (OpenCV
        # detects in parallel), so faces are matched by frame and box, and
        # track ids (new faces of one frame may be numbered either way) by
        # a one-to-one mapping.
        expected = {}
        for index, (ts, faces) in enumerate(frames):
            for f in faces:
                box = tuple(f.get_uint(k)[1] for k in "xywh")
                expected[(index, box)] = (ts, f)
        rows = self.rows[1:]
        self.assertEqual(len(rows), len(expected))
        tracks = {}
        # Faces run as one batch per frame, in facedetect's order: another
        # order moves the results in the last float digits.
        tol = 1e-4

        def array(s, name):
            ok, arr = s.get_array(name)
            return [arr.get_nth(i) for i in range(arr.n_values)]

        for r in rows:
            ts, f = expected[(int(r[0]), tuple(int(v) for v in r[3:7]))]
            self.assertAlmostEqual(float(r[1]), ts / 1e9, delta=1e-6)
            self.assertEqual(tracks.setdefault(r[2], f.get_uint("track-id")[1]),
                             f.get_uint("track-id")[1])
            self.assertAlmostEqual(float(r[7]), f.get_double("valence")[1],
                                   delta=tol)
            self.assertAlmostEqual(float(r[8]), f.get_double("arousal")[1],
                                   delta=tol)
            self.assertEqual(r[9], f.get_string("expression"))
            for got, want in zip(r[10:18], array(f, "expression-probs")):
                self.assertAlmostEqual(float(got), want, delta=tol)
            for got, want in zip(r[18:30], array(f, "au-probs")):
                self.assertAlmostEqual(float(got), want, delta=tol)
            self.assertEqual([a for a, v in zip(AUS, r[30:42]) if v == "1"],
                             array(f, "au-active"))
        self.assertEqual(len(set(tracks.values())), len(tracks))

    # -- the other outputs ---------------------------------------------

    def test_annotated_video_shows_the_boxes(self):
        annotated = decode_rgb(self.paths["mkv"])
        original = self.original
        self.assertEqual(len(annotated), self.n_frames)
        # the largest face of the clip
        r = max(self.rows[1:], key=lambda r: int(r[5]))
        frame, (x, y, w, h) = int(r[0]), [int(v) for v in r[3:7]]
        a, o = annotated[frame], original[frame]
        # its box's left edge is drawn...
        edge = mean_abs_diff(a, o, x, y + 4, x + 2, y + h - 4)
        self.assertGreater(edge, 40, "no box at %d,%d %dx%d" % (x, y, w, h))
        # ...its inside and a corner far from every face only carry
        # the codec's noise
        inside = mean_abs_diff(a, o, x + w // 3, y + h // 3,
                               x + 2 * w // 3, y + 2 * h // 3)
        self.assertLess(inside, 12)
        boxes = [[int(v) for v in q[3:7]] for q in self.rows[1:]
                 if int(q[0]) == frame]
        corners = [(0, 0), (WIDTH - 40, 0), (0, HEIGHT - 40),
                   (WIDTH - 40, HEIGHT - 40)]
        far = max(corners, key=lambda c: min(
            math.hypot(c[0] + 20 - (b[0] + b[2] / 2),
                       c[1] + 20 - (b[1] + b[3] / 2)) for b in boxes))
        self.assertLess(mean_abs_diff(a, o, far[0], far[1], far[0] + 40,
                                      far[1] + 40), 12)

    def test_plot_is_a_png(self):
        with open(self.paths["png"], "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(head[12:16], b"IHDR")
        width, height = struct.unpack(">II", head[16:24])
        self.assertEqual(width, 1280)
        self.assertGreater(height, 800)

    def test_expression_only_model_plots_its_expressions(self):
        """A model without valence and arousal: no empty panels for them
        (the plot is shorter than the full one), and the terminal says
        why."""
        single = os.environ.get("DDAMFN_TEST_MODEL_SINGLE")
        self.assertTrue(single and os.path.exists(single), single)
        d = os.path.join(WORK, "single")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        png, csv_path = os.path.join(d, "s.png"), os.path.join(d, "s.csv")
        r = analyze("--model", single, self.clip, "--plot", png,
                    "--csv", csv_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("the model predicts no valence or arousal: the plot "
                      "shows its expressions only", r.stdout)
        with open(csv_path, newline="") as f:
            rows = list(csv.reader(f))
        self.assertGreater(len(rows), 1)
        va = rows[0].index("valence")
        self.assertTrue(all(row[va] == "" for row in rows[1:]))
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", head[16:24])
        with open(self.paths["png"], "rb") as f:
            full_height = struct.unpack(">II", f.read(24)[16:24])[1]
        self.assertEqual(width, 1280)
        # the two valence/arousal panels (2 x 266 px) are left out
        self.assertLess(height, full_height - 400)
        self.assertGreater(height, 200)

    def test_no_temporary_files_are_left(self):
        self.assertEqual(listing(self.out),
                         ["a.csv", "a.jsonl", "a.mkv", "a.png"])

    # -- options ---------------------------------------------------------

    def test_model_from_the_environment(self):
        # No --model: $DDAMFN_MODEL names it; the same rows come out.
        out = os.path.join(WORK, "env-model.csv")
        r = subprocess.run([ANALYZE] + HAAR + [self.clip, "--csv", out],
                           capture_output=True, text=True, timeout=600,
                           env=dict(tool_env(), DDAMFN_MODEL=MODEL))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], self.rows[0])
        self.assertEqual([r[:7] for r in rows], [r[:7] for r in self.rows])
        # values agree to a few units of the sixth decimal: runs are not
        # bit-exact (facedetect lists faces in no fixed order, so a face's
        # place in its batch can change; seen: 3e-6)
        for r, ref in zip(rows[1:], self.rows[1:]):
            for v, w in zip(r[7:], ref[7:]):
                if v and v[0] in "-0123456789" and "." in v:
                    self.assertAlmostEqual(float(v), float(w), delta=1e-5)

    def test_no_model_anywhere_names_the_three_ways(self):
        env = tool_env()
        env.pop("DDAMFN_MODEL", None)
        r = subprocess.run([ANALYZE] + HAAR + [self.clip], capture_output=True,
                           text=True, timeout=60, env=env)
        installed = "/share/gst-ddamfn/models/affectnet8.safetensors"
        if r.returncode == 0 or "no DDAMFN model" not in r.stderr:
            self.skipTest("a default model is installed on this machine")
        self.assertEqual(r.returncode, 2)
        for part in ("--model", "DDAMFN_MODEL", installed):
            self.assertIn(part, r.stderr)


    def test_inference_interval_reuses_results(self):
        out = os.path.join(WORK, "interval.csv")
        r = analyze("--model", MODEL, self.clip, "--csv", out,
                    "--inference-interval", "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            rows = list(csv.reader(f))[1:]
        # the same faces (facedetect decides them), fewer distinct results
        self.assertEqual(sorted((x[0],) + tuple(x[3:7]) for x in rows),
                         sorted((x[0],) + tuple(x[3:7]) for x in self.rows[1:]))
        distinct = len({tuple(x[7:]) for x in rows})
        self.assertLess(distinct, len(rows) * 0.5)
        self.assertGreater(distinct, 1)

    def test_smoothing_calms_the_curves(self):
        out = os.path.join(WORK, "smooth.csv")
        r = analyze("--model", MODEL, self.clip, "--csv", out,
                    "--smoothing", "0.8")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            smooth = list(csv.reader(f))[1:]

        def jitter(rows):
            track = max({x[2] for x in rows},
                        key=lambda t: sum(x[2] == t for x in rows))
            v = [float(x[7]) for x in rows if x[2] == track]
            return sum(abs(b - a) for a, b in zip(v, v[1:])) / (len(v) - 1)

        self.assertLess(jitter(smooth), 0.6 * jitter(self.rows[1:]))

    # -- errors ----------------------------------------------------------

    def assert_fails_cleanly(self, args, fragment, outdir):
        before = listing(outdir)
        r = analyze(*args)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("ddamfn-analyze: "), r.stderr)
        self.assertIn(fragment, lines[0])
        self.assertEqual(listing(outdir), before, "output left behind")

    def error_dir(self, name):
        d = os.path.join(WORK, "errors", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def outputs(self, d):
        return ["--csv", os.path.join(d, "a.csv"),
                "--jsonl", os.path.join(d, "a.jsonl"),
                "--annotated", os.path.join(d, "a.mkv"),
                "--plot", os.path.join(d, "a.png")]

    def test_missing_video(self):
        d = self.error_dir("missing")
        missing = os.path.join(d, "nothing.avi")
        self.assert_fails_cleanly(["--model", MODEL, missing] +
                                  self.outputs(d),
                                  "cannot read %s: no such file" % missing, d)

    def test_undecodable_video(self):
        d = self.error_dir("undecodable")
        bad = os.path.join(WORK, "not-a-video.avi")
        with open(bad, "w") as f:
            f.write("this is text, not a video\n" * 100)
        self.assert_fails_cleanly(["--model", MODEL, bad] + self.outputs(d),
                                  "cannot decode %s" % bad, d)

    def test_file_without_video(self):
        d = self.error_dir("audio")
        wav = os.path.join(WORK, "tone.wav")
        subprocess.run(["gst-launch-1.0", "-q", "audiotestsrc",
                        "num-buffers=20", "!", "wavenc", "!", "filesink",
                        "location=" + wav], check=True, timeout=60)
        self.assert_fails_cleanly(["--model", MODEL, wav] + self.outputs(d),
                                  "no video stream", d)

    def test_bad_model(self):
        d = self.error_dir("model")
        model = os.path.join(WORK, "broken.safetensors")
        with open(model, "wb") as f:
            f.write(struct.pack("<Q", 40) + b"{not json")
        self.assert_fails_cleanly(["--model", model, self.clip] +
                                  self.outputs(d), "cannot use the model", d)

    def test_unwritable_output(self):
        d = self.error_dir("unwritable")
        args = ["--model", MODEL, self.clip,
                "--csv", os.path.join(d, "a.csv"),
                "--jsonl", os.path.join(d, "no-such-dir", "a.jsonl")]
        self.assert_fails_cleanly(args, "cannot write %s" %
                                  os.path.join(d, "no-such-dir", "a.jsonl"),
                                  d)
        self.assert_fails_cleanly(["--model", MODEL, self.clip, "--plot", d],
                                  "is a directory", d)

    def test_unknown_container(self):
        d = self.error_dir("container")
        self.assert_fails_cleanly(["--model", MODEL, self.clip,
                                   "--annotated", os.path.join(d, "a.avi")],
                                  "name it .mkv or .mp4", d)

    def test_plot_format_follows_its_name(self):
        d = self.error_dir("plot-format")
        self.assert_fails_cleanly(["--model", MODEL, self.clip,
                                   "--plot", os.path.join(d, "a.jpg")],
                                  "--plot %s: name it .png, .svg or .pdf"
                                  % os.path.join(d, "a.jpg"), d)
        for name, head in (("a.svg", b"<?xml"), ("a.pdf", b"%PDF-"),
                           ("a.PNG", b"\x89PNG")):
            path = os.path.join(d, name)
            r = analyze("--model", MODEL, self.clip, "--plot", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(path, "rb") as f:
                self.assertEqual(f.read(len(head)), head, name)

    def test_output_over_the_input_is_refused(self):
        d = self.error_dir("overwrite")
        copy = os.path.join(d, "clip.avi")
        shutil.copy(self.clip, copy)
        self.assert_fails_cleanly(["--model", MODEL, copy, "--csv", copy],
                                  "is the input video", d)

    def test_interrupted_run_leaves_nothing(self):
        d = self.error_dir("interrupted")
        proc = subprocess.Popen(
            [ANALYZE] + HAAR + ["--model", MODEL, os.path.join(DATA, "Megamind.avi")]
            + self.outputs(d), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=tool_env())
        # wait for the first progress line: the outputs exist by then
        line = proc.stderr.readline()
        self.assertTrue(line.startswith("progress:"), line)
        # unnamed files in D (O_TMPFILE): nothing in its listing, four
        # descriptors of the process in it
        self.assertEqual(listing(d), [])
        fd_dir = "/proc/%d/fd" % proc.pid
        unnamed = []
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith(os.path.realpath(d) + "/#"):
                unnamed.append(target)
        self.assertEqual(len(unnamed), 4, unnamed)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn("ddamfn-analyze: interrupted", err)
        self.assertEqual(listing(d), [])


def detector_model():
    """The BlazeFace model ddamfnfacedetect would load: $DDAMFN_DETECTOR_DIR
    (from tests) or the installed one; None when neither is there."""
    for d in (os.environ.get("DDAMFN_DETECTOR_DIR"),
              os.environ.get("DDAMFN_INSTALLED_MODEL_DIR")):
        if d and os.path.isfile(os.path.join(d, DETECTOR_FILE)):
            return os.path.join(d, DETECTOR_FILE)
    return None


DETECTOR_FILE = "blazeface-full-range.safetensors"


class BlazeDefault(unittest.TestCase):
    """Without --detector, ddamfn-analyze finds faces with ddamfnfacedetect."""

    def test_default_detector_finds_the_face_on_every_frame(self):
        model = detector_model()
        if model is None:
            self.skipTest("no BlazeFace model (models/fetch-detector.sh DIR, "
                          "then DDAMFN_DETECTOR_DIR=DIR)")
        clip = make_clip()
        out = os.path.join(WORK, "blaze.csv")
        haar_out = os.path.join(WORK, "haar.csv")
        args = ["--model", MODEL, clip, "--csv", out]
        if os.environ.get("DDAMFN_DETECTOR_DIR"):
            args += ["--detector-model", model]
        r = subprocess.run([ANALYZE] + args, capture_output=True, text=True,
                           env=tool_env(), timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = analyze("--model", MODEL, clip, "--csv", haar_out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        with open(haar_out, newline="") as f:
            haar = list(csv.DictReader(f))
        frames = {int(row["frame"]) for row in rows}
        n_frames = 1 + max(int(row["frame"]) for row in haar)
        # Megamind's face is in view on every one of these frames
        self.assertGreaterEqual(len(frames), n_frames - 2, sorted(frames))

        # the same face as the cascade's: on the first frame both report,
        # the nearest box centres agree
        def centre(row):
            return (int(row["x"]) + int(row["w"]) / 2,
                    int(row["y"]) + int(row["h"]) / 2)
        common = min(frames & {int(row["frame"]) for row in haar})
        first = [centre(row) for row in rows if int(row["frame"]) == common]
        cascade = [centre(row) for row in haar
                   if int(row["frame"]) == common]
        self.assertTrue(first and cascade)
        best = min(math.hypot(a[0] - b[0], a[1] - b[1])
                   for a in first for b in cascade)
        self.assertLess(best, 30, (first, cascade))


def main():
    global ANALYZE, MODEL, WORK, DATA, Gst
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    ANALYZE, MODEL, WORK, DATA = sys.argv[1:5]
    del sys.argv[1:5]
    if not os.path.exists(os.path.join(DATA, "Megamind.avi")):
        skip("%s/Megamind.avi absent" % DATA)
    try:
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst as gst
    except (ImportError, ValueError) as e:
        skip("PyGObject with GStreamer unavailable: %s" % e)
    Gst = gst
    Gst.init(None)
    face = Gst.ElementFactory.make("facedetect", None)
    if face is None:
        skip("opencv facedetect absent (gstreamer1.0-opencv)")
    if not os.path.exists(face.get_property("profile")):
        skip("facedetect's cascade %s absent (opencv-data)"
             % face.get_property("profile"))
    if Gst.ElementFactory.find("ddamfnfilter") is None:
        sys.exit("ddamfnfilter not found: set GST_PLUGIN_PATH")
    os.makedirs(WORK, exist_ok=True)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
