"""Shared fixtures for the official-SDK conformance suites.

The server under test is either the one named by STRIPE_MOCK_URL (a container, say) or the
release binary started here on an ephemeral port. Every test gets a fresh API key, which is a
fresh, empty account on the mock, so tests never see each other's objects.
"""

import json
import os
import pathlib
import subprocess
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _start_binary():
    binary = os.environ.get("STRIPE_MOCK_BIN", str(ROOT / "target" / "release" / "stripe-billing-mock"))
    proc = subprocess.Popen(
        [binary, "--port", "0", "--log-format", "json"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "stripe_billing_mock=info"},
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "url" in record:
            return proc, record["url"]
    proc.kill()
    raise RuntimeError("the mock server exited before it reported its URL")


@pytest.fixture(scope="session")
def mock_url():
    url = os.environ.get("STRIPE_MOCK_URL")
    if url:
        yield url.rstrip("/")
        return
    proc, url = _start_binary()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def api_key():
    return f"sk_test_{uuid.uuid4().hex}"
