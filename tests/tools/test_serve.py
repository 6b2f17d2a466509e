"""ddamfn-serve: many streams in one process on one model. Four streams
with one broken file (three complete JSON Lines files, one error, exit 1),
a reload on SIGHUP that removes a running stream and adds another (and a
bad reload that keeps the running set), SIGINT that finalizes the running
streams (and the model file opened once for all of them), configuration
errors, statistics lines.

usage: test_serve.py PATH/TO/ddamfn-serve MODEL WORKDIR SHARED_DATA
Slow streams come from a test HTTP host on loopback. Exits 77 (skipped)
without Megamind.avi, avidemux or souphttpsrc.
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import toolenv  # noqa: E402
from toolenv import skip, tool_env  # noqa: E402
from streamserver import Server  # noqa: E402

SERVE = MODEL = WORK = DATA = None
FRAMES = 270                    # Megamind.avi's frames
# a sanitizer build (tests/scripts/sanitize.sh) runs several times slower:
# every wait of this test is stretched by as much
SLOW = 4 if os.environ.get("ASAN_OPTIONS") else 1
STATS = re.compile(r"^stats (\S+): (\d+) frames, (\d+\.\d) frames/s, "
                   r"latency p50 (\d+\.\d) ms p95 (\d+\.\d) ms$")
RSS = re.compile(r"^stats process: RSS (\d+\.\d) MiB, (\d+) streams? "
                 r"running$")


def has_element(name):
    return toolenv.has_element(name, WORK)


def fresh_dir(*parts):
    return toolenv.fresh_dir(WORK, *parts)


def write_config(path, streams):
    """STREAMS: (name, {key: value}) pairs."""
    with open(path + ".new", "w") as f:
        for name, keys in streams:
            f.write("[stream %s]\n" % name)
            for k, v in keys.items():
                f.write("%s=%s\n" % (k, v))
            f.write("\n")
    os.replace(path + ".new", path)


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


class Running:
    """ddamfn-serve in the background, its stdout read line by line."""

    def __init__(self, args, prefix=()):
        env = tool_env()
        if prefix and env.get("ASAN_OPTIONS"):
            # LeakSanitizer cannot work under ptrace (strace): it would
            # end the program with a fatal error of its own
            env["ASAN_OPTIONS"] += ":detect_leaks=0"
        self.p = subprocess.Popen(list(prefix) + [SERVE, "--model", MODEL]
                                  + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  env=env, start_new_session=True)
        # the program itself (under strace: its child)
        self.pid = self.p.pid
        if prefix:
            self.pid = self._child()
        self.lines = queue.Queue()
        self.out = []
        self.err = ""
        self.err_parts = []
        self.reader = threading.Thread(target=self._read)
        self.reader.start()
        self.err_reader = threading.Thread(
            target=lambda: self.err_parts.extend(self.p.stderr))
        self.err_reader.start()

    def _child(self):
        children = "/proc/%d/task/%d/children" % (self.p.pid, self.p.pid)
        for _ in range(100):
            with open(children) as f:
                pids = f.read().split()
            if pids:
                return int(pids[0])
            time.sleep(0.1)
        raise AssertionError("the traced program did not start")

    def signal(self, sig):
        os.kill(self.pid, sig)

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern, timeout=60):
        """The first line (from here on) matching PATTERN."""
        timeout *= SLOW
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no line matching %r in %d s; got %r"
                                     % (pattern, timeout, self.out))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("ended before %r; got %r" %
                                     (pattern, self.out))
            self.out.append(line)
            m = re.search(pattern, line)
            if m:
                return m

    def wait_for_error(self, text, timeout=60):
        timeout *= SLOW
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(self.err_parts)):
            if time.monotonic() > deadline:
                raise AssertionError("no %r on stderr in %d s; got %r"
                                     % (text, timeout, self.err_parts))
            time.sleep(0.1)

    def finish(self, timeout=120):
        self.p.wait(timeout=timeout * SLOW)
        self.reader.join(timeout=30)
        self.err_reader.join(timeout=30)
        self.err = "".join(self.err_parts)
        self._close()
        while True:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.out.append(line)
        return self.p.returncode

    def kill(self):
        # the whole group: under strace the program is its child
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()
        self.reader.join(timeout=30)
        self.err_reader.join(timeout=30)
        self.err = "".join(self.err_parts)
        self._close()

    def _close(self):
        if not self.reader.is_alive():
            self.p.stdout.close()
        if not self.err_reader.is_alive():
            self.p.stderr.close()


class Serve(unittest.TestCase):
    def run_serve(self, *args, timeout=300):
        return subprocess.run([SERVE, "--model", MODEL] + list(args),
                              capture_output=True, text=True,
                              timeout=timeout * SLOW, env=tool_env())

    def check_complete(self, path, name, n):
        got = records(path)
        self.assertEqual(len(got), n, path)
        self.assertTrue(all(r["source"] == name for r in got), path)
        self.assertEqual([r["frame"] for r in got], list(range(n)), path)

    def test_streams_with_a_broken_one(self):
        d = fresh_dir("broken")
        broken = os.path.join(d, "broken.avi")
        with open(broken, "wb") as f:
            f.write(os.urandom(300000))
        video = os.path.join(DATA, "Megamind.avi")
        cfg = os.path.join(d, "serve.ini")
        write_config(cfg, [
            ("cam1", {"uri": video, "jsonl": os.path.join(d, "cam1.jsonl"),
                      "inference-interval": 2}),
            ("cam2", {"uri": "file://" + video,
                      "jsonl": os.path.join(d, "cam2.jsonl"),
                      "inference-interval": 2}),
            ("bad", {"uri": broken, "jsonl": os.path.join(d, "bad.jsonl")}),
            ("cam3", {"uri": video, "jsonl": os.path.join(d, "cam3.jsonl"),
                      "inference-interval": 2}),
        ])
        r = self.run_serve("--exit-when-done", "--stats-interval", "1", cfg)
        self.assertEqual(r.returncode, 1, r.stderr)
        err = [line for line in r.stderr.splitlines()
               if line.startswith("ddamfn-serve:")]
        self.assertEqual(len(err), 1, r.stderr)
        self.assertTrue(err[0].startswith("ddamfn-serve: stream bad: "),
                        r.stderr)
        self.assertIn(broken, err[0])
        for name in ("cam1", "cam2", "cam3"):
            self.assertIn("stream %s: done, %d frames" % (name, FRAMES),
                          r.stdout.splitlines())
            self.check_complete(os.path.join(d, name + ".jsonl"), name,
                                FRAMES)
        self.assertNotIn("stream bad: done", r.stdout)
        # complete or absent: no temporary file is left either
        self.assertEqual(sorted(os.listdir(d)),
                         ["broken.avi", "cam1.jsonl", "cam2.jsonl",
                          "cam3.jsonl", "serve.ini"])
        # statistics: one line per running stream and the memory
        stats = [STATS.match(line) for line in r.stdout.splitlines()]
        stats = [m for m in stats if m]
        self.assertGreater(len(stats), 0, r.stdout)
        self.assertTrue({m.group(1) for m in stats} <= {"cam1", "cam2",
                                                        "cam3"})
        self.assertTrue(any(int(m.group(2)) > 0 and float(m.group(3)) > 0
                            and float(m.group(5)) >= float(m.group(4)) > 0
                            for m in stats), r.stdout)
        rss = [RSS.match(line) for line in r.stdout.splitlines()]
        rss = [m for m in rss if m]
        self.assertGreater(len(rss), 0, r.stdout)
        self.assertTrue(all(float(m.group(1)) > 10 for m in rss))

    def test_reload_removes_and_adds(self):
        d = fresh_dir("reload")
        cfg = os.path.join(d, "serve.ini")
        first = os.path.join(d, "first.jsonl")
        second = os.path.join(d, "second.jsonl")
        server = Server(os.path.join(DATA, "Megamind.avi"), rate=100000)
        run = None
        try:
            write_config(cfg, [("first", {"uri": server.url,
                                          "jsonl": first})])
            run = Running(["--stats-interval", "0.5", cfg])
            run.wait_for(r"^stats first: [1-9]\d* frames")
            # a bad configuration: reported, the running set kept
            with open(cfg, "a") as f:
                f.write("[stream x]\nuri=a.avi\njsonl=x.jsonl\ncolour=red\n")
            run.signal(signal.SIGHUP)
            run.wait_for(r"^stats first: [1-9]\d* frames")
            self.assertIsNone(run.p.poll())
            write_config(cfg, [("second", {
                "uri": os.path.join(DATA, "Megamind.avi"), "jsonl": second,
                "inference-interval": 2})])
            run.signal(signal.SIGHUP)
            n = int(run.wait_for(r"^stream first: done, (\d+) frames "
                                 r"\(removed from the configuration\)$")
                    .group(1))
            self.assertGreater(n, 0)
            self.assertLess(n, FRAMES)
            self.check_complete(first, "first", n)
            run.wait_for(r"^stream second: done, %d frames$" % FRAMES)
            self.check_complete(second, "second", FRAMES)
            # nothing runs; without --exit-when-done it waits for SIGHUP
            time.sleep(1)
            self.assertIsNone(run.p.poll())
            run.signal(signal.SIGINT)
            self.assertEqual(run.finish(), 0, run.err)
        finally:
            if run:
                run.kill()
            server.close()
        self.assertIn("ddamfn-serve: reload: ", run.err)
        self.assertIn("[stream x]: unknown key 'colour'", run.err)
        self.assertIn("config: 1 started, 1 stopped, 0 unchanged", run.out)
        self.assertEqual(sorted(os.listdir(d)), ["first.jsonl",
                                                 "second.jsonl", "serve.ini"])

    def test_sigint_finalizes_and_the_model_is_loaded_once(self):
        """The model file is opened once, even after every stream of the
        first configuration had ended (a broken file) before SIGHUP
        started the next ones."""
        if shutil.which("strace") is None:
            self.skipTest("no strace")
        d = fresh_dir("sigint")
        cfg = os.path.join(d, "serve.ini")
        broken = os.path.join(WORK, "sigint-broken.avi")
        with open(broken, "wb") as f:
            f.write(os.urandom(100000))
        trace = os.path.join(WORK, "sigint-trace.txt")
        server = Server(os.path.join(DATA, "Megamind.avi"), rate=100000)
        run = None
        try:
            write_config(cfg, [("bad", {"uri": broken, "jsonl":
                                        os.path.join(d, "bad.jsonl")})])
            run = Running(["--stats-interval", "0.5", cfg],
                          prefix=["strace", "-f", "-qq", "-e",
                                  "trace=openat", "-o", trace])
            run.wait_for_error("ddamfn-serve: stream bad: ")
            write_config(cfg, [(name, {"uri": server.url, "jsonl":
                                       os.path.join(d, name + ".jsonl")})
                               for name in ("a", "b")])
            run.signal(signal.SIGHUP)
            run.wait_for(r"^stats a: [1-9]\d* frames")
            run.wait_for(r"^stats b: [1-9]\d* frames")
            run.signal(signal.SIGINT)
            code = run.finish()
        finally:
            if run:
                run.kill()
            server.close()
        self.assertEqual(code, 0, run.err)
        self.assertIn("config: 2 started, 0 stopped, 0 unchanged", run.out)
        for name in ("a", "b"):
            m = [re.match(r"^stream %s: done, (\d+) frames \(stopped by "
                          r"SIGINT\)$" % name, line) for line in run.out]
            m = [x for x in m if x]
            self.assertEqual(len(m), 1, run.out)
            self.check_complete(os.path.join(d, name + ".jsonl"), name,
                                int(m[0].group(1)))
        self.assertEqual(sorted(os.listdir(d)), ["a.jsonl", "b.jsonl",
                                                 "serve.ini"])
        with open(trace) as f:
            opens = [line for line in f
                     if os.path.basename(MODEL) in line and "= -1" not in
                     line]
        self.assertEqual(len(opens), 1, opens)

    def test_config_errors(self):
        d = fresh_dir("errors")
        cfg = os.path.join(d, "serve.ini")
        video = os.path.join(DATA, "Megamind.avi")
        out = os.path.join(d, "a.jsonl")
        cases = [
            (None, "cannot read %s: " % cfg),
            ("", "%s: no streams" % cfg),
            ("[stream a]\njsonl=%s\n" % out, "[stream a]: no uri"),
            ("[stream a]\nuri=%s\n" % video, "[stream a]: no output"),
            ("[stream a]\nuri=%s\njsonl=%s\nformat=csv\n" % (video, out),
             "[stream a]: unknown key 'format'"),
            ("[cameras]\nuri=%s\njsonl=%s\n" % (video, out),
             "[cameras]: not a stream group"),
            ("[stream a]\nuri=%s\njsonl=%s\ninference-interval=0\n"
             % (video, out), "[stream a]: inference-interval=0: must be"),
            ("[stream a]\nuri=%s\nmqtt=tcp://h/t\n" % video,
             "[stream a]: mqtt=tcp://h/t: must be"),
            ("[stream a]\nuri=%s\njsonl=%s\n[stream b]\nuri=%s\njsonl=%s\n"
             % (video, out, video, out), "both write jsonl=%s" % out),
            ("uri=%s\n" % video, "cannot read %s: " % cfg),
        ]
        for text, expected in cases:
            if os.path.exists(cfg):
                os.unlink(cfg)
            if text is not None:
                with open(cfg, "w") as f:
                    f.write(text)
            r = self.run_serve(cfg, timeout=60)
            lines = r.stderr.strip().splitlines()
            self.assertEqual(r.returncode, 2, (text, r.stderr))
            self.assertEqual(len(lines), 1, (text, r.stderr))
            self.assertTrue(lines[0].startswith("ddamfn-serve: "), lines)
            self.assertIn(expected, lines[0], text)
            self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(out))
        r = self.run_serve(timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)


def main():
    global SERVE, MODEL, WORK, DATA
    SERVE, MODEL, WORK, DATA = sys.argv[1:5]
    del sys.argv[1:5]
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(os.path.join(DATA, "Megamind.avi")):
        skip("no Megamind.avi")
    for element in ("souphttpsrc", "avidemux"):
        if not has_element(element):
            skip("no %s" % element)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
