"""`sabt demo` as a newcomer runs it: a seeded SQLite registry served on localhost."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sabt.demo import DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_seeds_a_registry_and_serves_it(tmp_path: Path):
    port = free_port()
    sabt = Path(sys.executable).with_name("sabt")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SABT_")}
    process = subprocess.Popen(
        [str(sabt), "demo", "--port", str(port), "--data-dir", str(tmp_path / "demo")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 360  # seeding 3,000 people on a busy 2-core machine can take minutes
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the demo did not start within six minutes"
            time.sleep(0.25)
        home = httpx.get(base)
        assert 'dir="rtl"' in home.text
        token = httpx.post(f"{base}/api/auth/token", data={"username": "registrar", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        queue = httpx.get(f"{base}/api/events", params={"status": "declared"}, headers=headers).json()
        assert any(event["late"] for event in queue) and any(not event["late"] for event in queue)
        father = queue[0]["data"]["father"]["national_code"]
        record = httpx.get(f"{base}/api/persons/{father}", headers=headers).json()
        assert record["birth_date"]["jalali"] and record["marriages"]
        found = httpx.get(
            f"{base}/api/persons",
            params={"name": record["first_name"], "last_name": record["last_name"]},
            headers=headers,
        ).json()
        assert father in [person["national_code"] for person in found]
        samples = sorted((tmp_path / "demo" / "sample-certificates").glob("*.pdf"))
        verdicts = [
            httpx.post(f"{base}/api/certificates/verify/file", files={"file": (path.name, path.read_bytes())}).json()[
                "verdict"
            ]
            for path in samples
        ]
        assert verdicts == ["genuine", "revoked"]
        coverage = httpx.get(f"{base}/api/cards/coverage", headers=headers).json()
        provinces = [row for row in coverage if row["county"] is None and row["province"]]
        assert len(provinces) == 31 and coverage[-1]["province"] == ""  # every province, then the country
        assert 60 < coverage[-1]["coverage_percent"] < 90 and coverage[-1]["pending_applications"] > 0
        assert max(p["coverage_percent"] for p in provinces) - min(p["coverage_percent"] for p in provinces) > 20
        token = httpx.post(f"{base}/api/auth/token", data={"username": "investigator", "password": DEMO_PASSWORD})
        investigator = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cases = httpx.get(f"{base}/api/linkage/cases", params={"kind": "duplicate"}, headers=investigator).json()
        assert cases["total"] >= 10  # the old office's second registrations, waiting for the investigator
    finally:
        process.terminate()
        process.wait(timeout=20)
