"""What the tests of the command-line tools share: the environment a tool
runs in, the system's GStreamer without the plugin under test, scratch
directories and skipping."""
import os
import shutil
import subprocess
import sys


def skip(reason):
    """Ends the test program as skipped (meson's status 77)."""
    print("SKIP: %s" % reason)
    sys.exit(77)


def tool_env(**extra):
    """The test's environment for a tool, without GST_DEBUG (its output
    would be taken for the tool's), plus EXTRA."""
    env = dict(os.environ)
    env.pop("GST_DEBUG", None)
    env.update(extra)
    return env


def system_env(work):
    """For gst-launch-1.0 and gst-inspect-1.0: the system's plugins only, in
    a registry of their own under WORK, scanned by gst-inspect's own
    scanner (the plugin under test may be a sanitizer build that only an
    instrumented process can load)."""
    env = tool_env()
    env.pop("GST_PLUGIN_PATH", None)
    env.pop("GST_REGISTRY_FORK", None)
    env["GST_REGISTRY"] = os.path.join(work, "system-registry.bin")
    return env


def has_element(name, work):
    """Whether the system has the GStreamer element NAME."""
    return subprocess.run(["gst-inspect-1.0", name], capture_output=True,
                          env=system_env(work)).returncode == 0


def fresh_dir(work, *parts):
    """WORK/PARTS…, emptied or made."""
    d = os.path.join(work, *parts)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d
