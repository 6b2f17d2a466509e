#!/usr/bin/env python3
"""Memory of N processes running one model, with the folded weights private
to each process (DDAMFN_WEIGHTS_CACHE=off) and shared through the weight
cache: resident (RSS) and proportional (PSS) set size of every process,
read from /proc/PID/smaps_rollup once each has loaded the model.

Each process, from the build tree, shows one picture with a face at 10
frames/s through `ddamfnfacedetect ! ddamfnfilter model=M ! fakesink`, so
the figures are those of a process that holds the plugin, GStreamer, the
detector and one model that runs on every frame (every weight page is
touched; the network's scratch is per process in both modes).

Models: DDAMFN's layout with random weights (bench/make-bench-model.py),
and with --onnx the EfficientNet-B0 ONNX fixture of the tests (its card
comes from its shapes) (Debian's torch). The time each process took to load is printed too:
with sharing, the first process writes the cache file and the others compare
their weights with it.

usage: /usr/bin/python3 bench/weights-pss.py [--build build] [--procs 4]
       [--onnx] [--model FILE…]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READY = re.compile(r"weights (shared from|private)")


def rollup(pid):
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def start(args, model, cache, i, work):
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(args.build, "gst-plugin")
    env["GST_REGISTRY"] = os.path.join(work, "registry.bin")
    env["GST_DEBUG"] = "ddamfnfilter:4"
    env["GST_DEBUG_NO_COLOR"] = "1"
    env["DDAMFN_WEIGHTS_CACHE"] = cache
    env["OPENBLAS_NUM_THREADS"] = "1"
    log = open(os.path.join(work, "p%d.log" % i), "w+")
    t0 = time.monotonic()
    p = subprocess.Popen(
        ["gst-launch-1.0", "-q", "filesrc", "location=" + args.image, "!",
         "jpegdec", "!", "imagefreeze", "!", "video/x-raw,framerate=10/1",
         "!", "videoconvert", "!", "ddamfnfacedetect", "!",
         "ddamfnfilter", "model=" + model, "!", "fakesink", "sync=true"],
        stdout=subprocess.DEVNULL, stderr=log, env=env)
    return p, log, t0


def wait_ready(p, log, t0, timeout=120):
    while time.monotonic() - t0 < timeout:
        log.seek(0)
        m = READY.search(log.read())
        if m:
            return time.monotonic() - t0, m.group(1) == "shared from"
        if p.poll() is not None:
            log.seek(0)
            sys.exit("weights-pss: gst-launch exited %d:\n%s"
                     % (p.returncode, log.read()[-2000:]))
        time.sleep(0.05)
    sys.exit("weights-pss: the model did not load in %d s" % timeout)


def measure(args, model, mode, work):
    cache = "off" if mode == "private" else tempfile.mkdtemp(dir=work)
    procs, loads, shared = [], [], []
    try:
        for i in range(args.procs):
            # One after the other: the first writes the cache file.
            p, log, t0 = start(args, model, cache, i, work)
            procs.append((p, log))
            dt, sh = wait_ready(p, log, t0)
            loads.append(dt)
            shared.append(sh)
        # Some frames through the network: every weight page touched.
        time.sleep(2.0)
        rolls = [rollup(p.pid) for p, _ in procs]
    finally:
        for p, log in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()
    if mode == "shared" and not all(shared):
        sys.exit("weights-pss: a process did not share its weights")
    return rolls, loads


def weights_mib(args, model):
    out = subprocess.run(
        [os.path.join(args.build, "tools", "ddamfn-infer"),
         "--print-plan", model], env=dict(os.environ,
                                          DDAMFN_WEIGHTS_CACHE="off"),
        capture_output=True, text=True, check=True).stdout
    m = re.search(r"weights: ([0-9.]+) MiB", out)
    return float(m.group(1)) if m else float("nan")


def models(args, work):
    out = []
    ddamfn = os.path.join(work, "ddamfn-multitask.safetensors")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench",
                                                 "make-bench-model.py"),
                    ddamfn, "multitask"], check=True)
    out.append(("DDAMFN (random weights)", ddamfn))
    if args.onnx:
        fx = os.path.join(work, "onnx")
        subprocess.run([sys.executable, os.path.join(
            ROOT, "tests", "import", "make_onnx_fixtures.py"), fx,
            "efficientnet_b0"], check=True, stdout=subprocess.DEVNULL)
        for name in ("efficientnet_b0",):
            path = os.path.join(fx, name + ".onnx")
            if os.path.exists(path):
                out.append((name + " (ONNX fixture)", path))
    for path in args.model:
        out.append((os.path.basename(path), os.path.abspath(path)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--onnx", action="store_true")
    ap.add_argument("--image", default=os.path.join(
        ROOT, "..", "shared", "data", "messi5.jpg"),
        help="a picture with a face, shown at 10 frames/s")
    ap.add_argument("--model", action="append", default=[])
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.image = os.path.abspath(args.image)
    if shutil.which("gst-launch-1.0") is None:
        sys.exit("weights-pss: gst-launch-1.0 not found")
    work = tempfile.mkdtemp(prefix="weights-pss-")
    try:
        print("%d processes, one after the other, each: gst-launch-1.0 "
              "filesrc ! jpegdec ! imagefreeze ! ddamfnfacedetect ! "
              "ddamfnfilter model=M ! fakesink" % args.procs)
        print("%-28s %8s %-8s %9s %9s %9s %9s %8s" % (
            "model", "weights", "mode", "RSS/proc", "PSS/proc", "PSS sum",
            "anon/pr", "load"))
        for label, model in models(args, work):
            mib = weights_mib(args, model)
            sums = {}
            for mode in ("private", "shared"):
                rolls, loads = measure(args, model, mode, work)
                rss = statistics.median(r["Rss"] for r in rolls) / 1024
                pss = statistics.median(r["Pss"] for r in rolls) / 1024
                anon = statistics.median(
                    r.get("Pss_Anon", float("nan")) for r in rolls) / 1024
                sums[mode] = sum(r["Pss"] for r in rolls) / 1024
                print("%-28s %6.1f M %-8s %7.1f M %7.1f M %7.1f M %7.1f M "
                      "%5.2f s" % (label[:28], mib, mode, rss, pss,
                                   sums[mode], anon,
                                   statistics.median(loads)))
                print("%-28s %8s %-8s loads: %s" % (
                    "", "", "", " ".join("%.2f" % x for x in loads)))
            print("%-28s saved by sharing: %.1f MiB of PSS over %d "
                  "processes; at best %.1f (%d − 1 copies of the weights)"
                  % ("", sums["private"] - sums["shared"], args.procs,
                     (args.procs - 1) * mib, args.procs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
