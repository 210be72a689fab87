"""A local AWS emulator for the tests: moto's server in a subprocess on a free loopback port, never AWS.

Functions under test reach it through `AWS_ENDPOINT_URL` (botocore and the AWS SDK for JavaScript v3 both read it),
with credentials that sign nothing real.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on 127.0.0.1; yields its endpoint URL and stops it (and waits for it) afterwards."""
    port = _free_port()
    env = {**os.environ, **FAKE_CREDENTIALS}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(endpoint + "/moto-api/", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def aws_environment() -> Iterator[str]:
    """moto's server, with this process's AWS environment pointed at it until the block ends: the fake credentials,
    `AWS_ENDPOINT_URL`, and no `AWS_PROFILE`, so that boto3 (and lambdagate's --aws commands) reach moto only.
    Yields the endpoint."""
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield endpoint
