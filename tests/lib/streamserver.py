"""A file served over HTTP on a free loopback port, as a stream: at most
RATE bytes per second (None: as fast as it goes) and without Range support,
so a client reads it from start to end. For the tests of the tools that
take http:// inputs."""
import http.server
import threading
import time


class Server:
    """Serves PATH at self.url until close()."""

    def __init__(self, path, rate=None):
        with open(path, "rb") as f:
            data = f.read()
        self.stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "video/x-msvideo")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                chunk = 16384
                for i in range(0, len(data), chunk):
                    if outer.stop.is_set():
                        return
                    try:
                        self.wfile.write(data[i:i + chunk])
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    if rate:
                        time.sleep(chunk / rate)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d/Megamind.avi" % \
            self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
