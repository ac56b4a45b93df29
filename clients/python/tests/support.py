"""Test helpers: the real exporter process, fault servers, and condition waits."""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, List, Optional, Tuple, TypeVar

REPO = Path(__file__).resolve().parents[3]
CLIENT_SRC = REPO / "clients" / "python" / "src"
TOKEN = "py-ingest-t0ken"
IN_CI = os.environ.get("CI") == "true"

T = TypeVar("T")


def wait_for(what: str, condition: Callable[[], Optional[T]], timeout: float = 20.0) -> T:
    """Polls ``condition`` until it returns something other than None/False."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value is not None and value is not False:
                return value
        except Exception as error:  # noqa: BLE001
            last_error = error
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}" + (f": {last_error!r}" if last_error else ""))


class Exporter:
    """``node bin/aiwatch.js exporter`` from the build in dist/, on an ephemeral port."""

    def __init__(self, directory: Path, config: str) -> None:
        config_file = directory / "exporter.yaml"
        config_file.write_text(config)
        entry = REPO / "bin" / "aiwatch.js"
        if not (REPO / "dist").is_dir():
            raise RuntimeError("dist/ is missing: run `npm run build` first (npm test does)")
        self.log_path = directory / "exporter.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                os.environ.get("AIWATCH_NODE", "node"),
                str(entry),
                "exporter",
                "--config.file",
                str(config_file),
                "--web.listen-address",
                # Port 0: the exporter picks a free port and says which (no race with
                # another process for a port chosen here and released).
                "127.0.0.1:0",
            ],
            env={**os.environ, "INGEST_TOKEN": TOKEN},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.url = wait_for("the exporter to say its address", self._serving_url, timeout=30)
        wait_for("the exporter to be ready", self._ready, timeout=30)

    def _serving_url(self) -> Optional[str]:
        if self.process.poll() is not None:
            raise RuntimeError(f"exporter exited: {self.log_path.read_text()}")
        match = re.search(r"aiwatch exporter serving on (http://\S+)", self.log_path.read_text())
        return match.group(1) if match else None

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"exporter exited: {self.log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as response:
            return response.read().decode()

    def sample(self, selector: str) -> Optional[float]:
        """The value of the sample ``selector`` (``name{labels}`` as exposed), or None."""
        for line in self.metrics().splitlines():
            if line.startswith(selector + " "):
                return float(line[len(selector) + 1 :])
        return None

    def wait_sample(self, selector: str, expected: float, timeout: float = 20.0) -> float:
        def matches() -> Optional[float]:
            value = self.sample(selector)
            if value is None:
                return None
            if value == expected or (value != value and expected != expected):
                return value if value == value else 0.0
            return None

        wait_for(f"{selector} == {expected} (now {self.sample(selector)})", matches, timeout)
        return expected

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


class HungServer:
    """Accepts connections and never answers: an exporter stuck in a GC pause or a
    deadlock, or a proxy whose upstream is gone."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections: List[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self.connections:
            connection.close()


class DownServer:
    """An address where nothing listens, so connections are refused: a socket bound to
    it and never listening, kept open so that no other process can take the port."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def close(self) -> None:
        self._socket.close()


class ScriptedServer:
    """Answers each POST with the next of ``answers`` (status, headers, body), the last
    one repeated; records when each request came and what it carried."""

    def __init__(self, answers: List[Tuple[int, dict, bytes]]) -> None:
        self.answers = answers
        #: (when, path, body, status answered)
        self.requests: List[Tuple[float, str, bytes, int]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                index = min(len(owner.requests), len(owner.answers) - 1)
                status, headers, payload = owner.answers[index]
                owner.requests.append((time.monotonic(), self.path, body, status))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def accepted_records(self) -> List[dict]:
        """The records of the requests answered 2xx."""
        return [
            record
            for _, _, body, status in self.requests
            if 200 <= status < 300
            for record in json.loads(body)
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def success(received: int = 1) -> Tuple[int, dict, bytes]:
    return 200, {}, json.dumps({"status": "success", "data": {"received": received}}).encode()


def run_python(script: str, timeout: float = 60.0, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Runs ``script`` with this interpreter and the client on its path."""
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(CLIENT_SRC), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class FlakyProxy(ScriptedServer):
    """A reverse proxy to the real exporter that answers 503 while ``down`` is set (an
    ingress whose backend restarts): what reaches the exporter is the client's own
    request, untouched."""

    def __init__(self, target: str) -> None:
        self.down = True
        super().__init__([(503, {}, b'{"status":"error","error":"upstream restarting"}')])
        proxy = self
        handler = self._server.RequestHandlerClass
        scripted_post = handler.do_POST

        def do_post(self) -> None:  # type: ignore[no-untyped-def]
            if proxy.down:
                scripted_post(self)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = urllib.request.Request(
                target + self.path,
                data=body,
                method="POST",
                headers={k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, payload = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, payload = error.code, error.read()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        handler.do_POST = do_post
