"""Clients that send a request one byte every 5 s cannot stall the service for anyone else.

A probe asks GET /api/v1/rules every quarter of a second while slow clients trickle their requests, and every
probe must be answered within PROBE_BOUND_S, the property itself. The same probe first runs with no slow client
(a busy machine that cannot answer within the bound anyway makes the test say so rather than pass or fail on
noise), and once against gunicorn alone, where three slow clients must be seen to stall it: that shows the probe
detects what it is there to detect.
"""

import socket
import threading
import time
import urllib.parse

import pytest

PROBE_BOUND_S = 1.0
TRICKLE_EVERY_S = 5
TRICKLE_FOR_S = 16  # each slow client sends 3–4 bytes in this time, all the while being held open


class SlowClients:
    """count sockets that send a request's headers, then its body one byte every TRICKLE_EVERY_S; with
    trickle_headers, every other one sends the headers themselves one line at a time (nginx cuts those off after
    client_header_timeout, which is fine: the point is that nobody else waits meanwhile)."""

    def __init__(self, base_url: str, count: int, trickle_headers: bool = False):
        parts = urllib.parse.urlsplit(base_url)
        self.address = (parts.hostname, parts.port)
        self.host = f"{parts.hostname}:{parts.port}"
        self.count, self.trickle_headers = count, trickle_headers
        self.sockets: list[socket.socket] = []
        self.pending: list[list[bytes]] = []
        self.body_only: list[bool] = []
        self.closed_early: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        for n in range(self.count):
            sock = socket.create_connection(self.address, timeout=5)
            lines = [f"POST /api/v1/evaluate HTTP/1.1\r\nHost: {self.host}\r\n".encode(),
                     b"Content-Type: application/json\r\n", b"Content-Length: 1000\r\n", b"\r\n"]
            body_only = not (self.trickle_headers and n % 2)
            pieces = [b"".join(lines)] if body_only else lines
            self.body_only.append(body_only)
            pieces += [b" "] * 100  # the body: more bytes than the test will ever get to send
            sock.sendall(pieces.pop(0))
            self.sockets.append(sock)
            self.pending.append(pieces)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop.wait(TRICKLE_EVERY_S):
            for n, (sock, pieces) in enumerate(zip(self.sockets, self.pending, strict=True)):
                if sock.fileno() < 0:
                    continue
                try:
                    sock.sendall(pieces.pop(0))
                except OSError:
                    self.closed_early.append(n)
                    sock.close()

    def body_tricklers_held(self) -> int:
        """Return how many of the clients trickling a body are still connected."""
        return sum(body_only and sock.fileno() >= 0 for sock, body_only in zip(self.sockets, self.body_only,
                                                                                strict=True))

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=TRICKLE_EVERY_S + 5)
        for sock in self.sockets:
            sock.close()


def probe(live, seconds: float, stop_when_stalled: bool = False) -> list[float]:
    """Ask GET /api/v1/rules every 0.25 s for seconds; return each answer's time (a timeout counts as 2 × bound)."""
    browser = live.browser(user_agent="probe")
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            reply = browser.request("GET", "/api/v1/rules", timeout=2 * PROBE_BOUND_S)
            assert reply.status == 200, reply
            times.append(time.monotonic() - started)
        except TimeoutError:
            times.append(2 * PROBE_BOUND_S)
        if stop_when_stalled and times[-1] > PROBE_BOUND_S:
            break
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    return times


@pytest.fixture(scope="module")
def live(serve_module):
    live = serve_module(workers=3)  # what make run serves: nginx in front of gunicorn's 3 sync workers
    baseline = probe(live, 4)
    if max(baseline) >= PROBE_BOUND_S:
        pytest.fail(f"the machine is too busy to measure: with no slow client the probe took up to "
                    f"{max(baseline):.2f} s (bound {PROBE_BOUND_S} s); run again when it is quieter")
    return live


@pytest.mark.parametrize("count", [3, 50])
def test_slow_clients_do_not_delay_anyone_else(live, count):
    with SlowClients(live.base_url, count, trickle_headers=count > 3) as slow:
        times = probe(live, TRICKLE_FOR_S)
        held = slow.body_tricklers_held()
    assert max(times) < PROBE_BOUND_S, f"slowest probe {max(times):.2f} s of {len(times)}: {times}"
    assert len(times) >= TRICKLE_FOR_S * 2
    # The clients trickling a body were really there all the while: held open by nginx, none cut off.
    assert held == sum(slow.body_only), (held, slow.closed_early)


def test_without_the_front_server_three_slow_clients_stall_the_service(serve):
    """The control: gunicorn's sync workers alone, each held by one slow client."""
    live = serve(workers=3, front=False)
    assert max(probe(live, 2)) < PROBE_BOUND_S
    with SlowClients(live.base_url, 3):
        times = probe(live, 10, stop_when_stalled=True)
    assert max(times) > PROBE_BOUND_S, times
