#!/usr/bin/python3
"""How many live 30 fps streams with K faces each one machine sustains end
to end, camera to MQTT subscriber, with every stream in one process.

usage: /usr/bin/python3 bench/fleet-capacity.py [--build build] [--model FILE]
           [--video ../shared/data/Megamind.avi] [--streams 1,2,3,4,6]
           [--tiles 1,4] [--limit-ms 250] [--work DIR]

Needs mosquitto and mosquitto_sub (Debian's mosquitto, mosquitto-clients)
and PyGObject (python3-gi). For each tiling T (1: the video as it is; 4:
a 2 x 2 mosaic of it, made once with compositor, so about four times the
faces) and each number of streams S, one child process runs S pipelines

  filesrc ! decodebin ! videoconvert ! videorate ! 30 fps ! identity sync=true
    ! ddamfnfacedetect ! ddamfnfilter live=true ! ddamfnjson source=sI
    ! ddamfnpublish uri=mqtt://127.0.0.1:PORT/fleet/sI qos=1

on one shared clock, the system's real-time clock: identity sync=true lets
each frame go at its capture time, base_time + PTS, as a camera would, and
the filter's live mode keeps the network off the streaming thread. A
broker on a free loopback port and a mosquitto_sub that stamps every
message with its arrival time (%U) take the records; a frame's latency is
arrival minus capture time. The first second of each stream is not
counted.

Printed per configuration: faces per frame (as detected), records received
and expected, output frames/s per stream, latency p50 / p95 / max, the
median result age (frames since the face's result was computed: the live
filter reuses a face's last result while the network is busy), and the
child process's CPU time per second of video. A configuration is
"sustained" when every record arrived and the p95 latency stays under
--limit-ms, in the first and in the last third of the run alike (a
pipeline that falls behind a live source sees its latency grow through the
run). Figures only: nothing is asserted.
"""
import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RATE = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(work):
    port = free_port()
    conf = os.path.join(work, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\n"
                "max_queued_messages 100000\n" % port)
    p = subprocess.Popen(["mosquitto", "-c", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    sys.exit("fleet-capacity: mosquitto did not start")


def mosaic(video, path):
    """A 2 x 2 mosaic of VIDEO (MJPEG in AVI), made once."""
    if os.path.exists(path):
        return path
    pads = " ".join("sink_%d::xpos=%d sink_%d::ypos=%d" % (i, 720 * (i % 2), i,
                    528 * (i // 2)) for i in range(4))
    branches = " ".join("t. ! queue ! c.sink_%d" % i for i in range(4))
    line = ("compositor name=c %s ! videoconvert ! jpegenc quality=90 ! "
            "avimux ! filesink location=%s.part filesrc location=%s ! "
            "decodebin ! videoconvert ! tee name=t %s"
            % (pads, path, video, branches))
    subprocess.run(["gst-launch-1.0", "-q"] + line.split(), check=True,
                   capture_output=True, timeout=600)
    os.rename(path + ".part", path)
    return path


def child(args):
    """Runs S pipelines in this process; prints each one's base time, and
    at the end the CPU time and the publishers' counts, as JSON lines."""
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst

    Gst.init(None)
    clock = Gst.SystemClock.obtain()
    clock.set_property("clock-type", Gst.ClockType.REALTIME)
    loop = GLib.MainLoop()
    pipes, done, counts = [], set(), {}
    for i in range(args.child_streams):
        desc = ("filesrc location=%s ! decodebin ! videoconvert ! videorate ! "
                "video/x-raw,framerate=%d/1 ! identity sync=true ! "
                "ddamfnfacedetect ! ddamfnfilter live=true %s ! "
                "ddamfnjson source=s%d ! ddamfnpublish "
                "uri=mqtt://127.0.0.1:%d/fleet/s%d qos=1 eos-timeout=30000"
                % (args.child_clip, RATE,
                   "model=" + args.model if args.model else "", i, args.port,
                   i))
        p = Gst.parse_launch(desc)
        p.use_clock(clock)
        pipes.append(p)

    def on_message(bus, msg, i):
        if msg.type == Gst.MessageType.EOS:
            done.add(i)
        elif msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(json.dumps({"error": "s%d: %s" % (i, err.message)}),
                  flush=True)
            done.add(i)
        elif msg.type == Gst.MessageType.ELEMENT:
            st = msg.get_structure()
            if st is not None and st.get_name() == "ddamfnpublish":
                counts["s%d" % i] = {k: st.get_value(k) for k in
                                     ("accepted", "sent", "acknowledged",
                                      "dropped")}
        if len(done) == len(pipes):
            loop.quit()

    for i, p in enumerate(pipes):
        bus = p.get_bus()
        bus.add_signal_watch()
        bus.connect("message", on_message, i)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    for p in pipes:
        p.set_state(Gst.State.PLAYING)
    for i, p in enumerate(pipes):
        p.get_state(Gst.CLOCK_TIME_NONE)
        print(json.dumps({"source": "s%d" % i, "base": p.get_base_time()}),
              flush=True)
    GLib.timeout_add_seconds(600, loop.quit)
    loop.run()
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    for p in pipes:
        p.set_state(Gst.State.NULL)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(json.dumps({"wall": wall, "cpu": cpu, "counts": counts}),
          flush=True)


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def run_config(args, clip, streams, port, work):
    out = os.path.join(work, "sub-%d.txt" % streams)
    sub = subprocess.Popen(["mosquitto_sub", "-p", str(port), "-q", "1",
                            "-t", "fleet/#", "-F", "%U %p"],
                           stdout=open(out, "w"), stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    env = dict(os.environ,
               GST_PLUGIN_PATH=os.path.join(args.build, "gst-plugin"))
    env.pop("GST_DEBUG", None)
    r = subprocess.run([sys.executable, __file__, "--child-clip", clip,
                        "--child-streams", str(streams), "--port", str(port),
                        "--model", args.model],
                       capture_output=True, text=True, env=env, timeout=900)
    time.sleep(1.0)
    sub.terminate()
    sub.wait()
    base, summary, errors = {}, {}, []
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if "base" in d:
            base[d["source"]] = d["base"]
        elif "wall" in d:
            summary = d
        elif "error" in d:
            errors.append(d["error"])
    if r.returncode != 0 or not summary:
        errors.append("child exit %d: %s" % (r.returncode, r.stderr[-400:]))
    lat, faces, ages, per = [], [], [], {}
    thirds = {0: [], 2: []}
    frames_seen = {}
    with open(out) as f:
        for line in f:
            stamp, _, payload = line.partition(" ")
            try:
                rec = json.loads(payload)
            except ValueError:
                continue
            src = rec.get("source")
            if src not in base:
                continue
            frames_seen.setdefault(src, set()).add(rec["frame"])
            t = rec["timestamp"]
            if t < 1.0:
                continue
            ms = (float(stamp) - (base[src] / 1e9 + t)) * 1e3
            lat.append(ms)
            per.setdefault(src, []).append((t, ms))
            faces.append(len(rec.get("faces", [])))
            ages += [fc["result_age"] for fc in rec.get("faces", [])
                     if "result_age" in fc]
    duration = max((t for v in per.values() for t, _ in v), default=0)
    for v in per.values():
        for t, ms in v:
            k = int(3 * t / duration) if duration else 0
            if k in thirds:
                thirds[k].append(ms)
    accepted = sum(c.get("accepted", 0) for c in
                   summary.get("counts", {}).values())
    received = sum(len(s) for s in frames_seen.values())
    video_s = duration + 1.0 if duration else float("nan")
    fps = [len(v) / (duration - 1.0) if duration > 1 else 0
           for v in per.values()]
    p95_first, p95_last = pct(thirds[0], 0.95), pct(thirds[2], 0.95)
    ok = (not errors and received == accepted and len(per) == streams
          and p95_first < args.limit_ms and p95_last < args.limit_ms)
    return {
        "streams": streams, "faces": statistics.mean(faces) if faces else 0,
        "received": received, "accepted": accepted,
        "fps": min(fps) if fps else 0,
        "p50": pct(lat, 0.5), "p95": pct(lat, 0.95), "max": max(lat or [0]),
        "p95_first": p95_first, "p95_last": p95_last,
        "age": statistics.median(ages) if ages else float("nan"),
        "cpu": summary.get("cpu", float("nan")) / video_s,
        "ok": ok, "errors": errors,
    }


def main():
    ap = argparse.ArgumentParser()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--build", default=os.path.join(top, "build"))
    ap.add_argument("--model", default="")
    ap.add_argument("--video", default=os.path.join(
        top, "..", "shared", "data", "Megamind.avi"))
    ap.add_argument("--streams", default="1,2,3,4,6")
    ap.add_argument("--tiles", default="1,4")
    ap.add_argument("--limit-ms", type=float, default=250.0)
    ap.add_argument("--work", default="")
    ap.add_argument("--child-clip")
    ap.add_argument("--child-streams", type=int)
    ap.add_argument("--port", type=int)
    args = ap.parse_args()
    if args.child_clip:
        return child(args)
    for tool in ("mosquitto", "mosquitto_sub", "gst-launch-1.0"):
        if shutil.which(tool) is None:
            sys.exit("fleet-capacity: %s not found" % tool)
    if args.model:
        args.model = os.path.abspath(args.model)
        if not os.path.exists(args.model):
            sys.exit("fleet-capacity: %s: no such file" % args.model)
    work = args.work or tempfile.mkdtemp(prefix="fleet-capacity.")
    os.makedirs(work, exist_ok=True)
    broker, port = start_broker(work)
    try:
        print("model: %s" % (args.model or "the default (DDAMFN_MODEL, "
                             "else the installed one)"))
        print("%-5s %-7s %-6s %-11s %-8s %-22s %-8s %-9s %s" % (
            "tiles", "streams", "faces", "records", "fps/str",
            "latency p50/p95/max ms", "age", "cpu s/s", "sustained"))
        for tiles in [int(x) for x in args.tiles.split(",")]:
            clip = args.video if tiles == 1 else mosaic(
                args.video, os.path.join(work, "mosaic-2x2.avi"))
            for s in [int(x) for x in args.streams.split(",")]:
                r = run_config(args, clip, s, port, work)
                print("%-5d %-7d %-6.2f %-11s %-8.1f %-22s %-8.1f %-9.2f %s" % (
                    tiles, s, r["faces"],
                    "%d/%d" % (r["received"], r["accepted"]), r["fps"],
                    "%.0f/%.0f/%.0f" % (r["p50"], r["p95"], r["max"]),
                    r["age"], r["cpu"],
                    ("yes" if r["ok"] else "no") +
                    " (p95 first/last third %.0f/%.0f)" % (r["p95_first"],
                                                          r["p95_last"])),
                      flush=True)
                if r["errors"]:
                    for e in sorted(set(r["errors"]))[:4]:
                        print("  error: %s" % e)
                    sys.exit("fleet-capacity: a stream failed; stopping")
    finally:
        broker.terminate()
        broker.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
