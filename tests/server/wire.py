"""Raw HTTP for what a client library hides: requests sent at the same moment, custom Host headers."""

from __future__ import annotations

import json
import socket
import time
from typing import Any
from urllib.parse import urlparse


def _request(url: str, target: str, body: Any, host: str | None = None) -> bytes:
    address = urlparse(url)
    data = json.dumps(body).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: {host or address.netloc}\r\nX-Amz-Target: AWSStepFunctions.{target}\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + data


def _answer(connection: socket.socket) -> tuple[int, Any]:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    connection.close()
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body) if body else None


def together(url: str, target: str, bodies: list[Any]) -> list[tuple[int, Any]]:
    """Send one request per body, each on its own connection, as nearly at once as possible.

    Every request but its last byte goes first; then the last bytes, back to back, so the server
    reads them all complete in the same moment. Returns (HTTP status, JSON body) in order.
    """
    address = urlparse(url)
    connections = []
    requests = [_request(url, target, body) for body in bodies]
    for request in requests:
        connection = socket.create_connection((address.hostname, address.port), timeout=60)
        connection.sendall(request[:-1])
        connections.append(connection)
    time.sleep(0.2)
    for connection, request in zip(connections, requests, strict=True):
        connection.sendall(request[-1:])
    return [_answer(connection) for connection in connections]


def post(url: str, target: str, body: Any, host: str | None = None) -> tuple[int, Any]:
    """One request, with `host` as its Host header if given."""
    address = urlparse(url)
    connection = socket.create_connection((address.hostname, address.port), timeout=60)
    connection.sendall(_request(url, target, body, host))
    return _answer(connection)
