"""`sabt audit …` on a seeded demo registry, run as an operator would run it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SABT = str(Path(sys.executable).with_name("sabt"))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("audited")
    subprocess.run(
        [SABT, "demo", "--no-serve", "--data-dir", str(data)], check=True, capture_output=True, env=_env(data)
    )
    return data


def _env(data: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SABT_")}
    return env | {"SABT_DATA_DIR": str(data)}


def sabt(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SABT, *args], capture_output=True, text=True, env=_env(data), check=False)


def test_an_untouched_registry_passes_the_audit(demo_dir):
    assert sabt(demo_dir, "audit", "checkpoint").returncode == 0
    result = sabt(demo_dir, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "0 problems" in result.stdout


def test_a_proof_checks_offline_with_only_the_public_key(demo_dir, tmp_path):
    key = sabt(demo_dir, "audit", "public-key").stdout.strip()
    (tmp_path / "checkpoint.txt").write_text(sabt(demo_dir, "audit", "checkpoint").stdout)
    (tmp_path / "proof.json").write_text(sabt(demo_dir, "audit", "proof", "--record", "persons/1").stdout)
    checked = sabt(
        demo_dir,
        "audit",
        "check-proof",
        str(tmp_path / "proof.json"),
        "--checkpoint",
        str(tmp_path / "checkpoint.txt"),
        "--key",
        key,
    )
    assert checked.returncode == 0, checked.stderr
    proof = json.loads((tmp_path / "proof.json").read_text())
    proof["content"]["first_name"] = "جعلی"  # claim the record held another name
    (tmp_path / "forged.json").write_text(json.dumps(proof))
    forged = sabt(
        demo_dir,
        "audit",
        "check-proof",
        str(tmp_path / "forged.json"),
        "--checkpoint",
        str(tmp_path / "checkpoint.txt"),
        "--key",
        key,
    )
    assert forged.returncode == 1


def test_a_consistency_proof_checks_offline_between_two_checkpoints(demo_dir, tmp_path):
    key = sabt(demo_dir, "audit", "public-key").stdout.strip()
    (tmp_path / "old.txt").write_text(sabt(demo_dir, "audit", "checkpoint").stdout)
    old_size = int((tmp_path / "old.txt").read_text().splitlines()[1])
    sabt(
        demo_dir,
        "register",
        "marriage",
        "--as",
        "registrar",
        "--husband",
        _living(demo_dir, "male"),
        "--wife",
        _living(demo_dir, "female"),
        "--date",
        "1404/01/15",
        "--county",
        "2301",
        "--notary-office",
        "3",
        "--document-number",
        "M-77",
        "--court-permission",
        "court 1404/3",
    )
    (tmp_path / "new.txt").write_text(sabt(demo_dir, "audit", "checkpoint").stdout)
    new_size = int((tmp_path / "new.txt").read_text().splitlines()[1])
    assert new_size > old_size
    (tmp_path / "proof.json").write_text(sabt(demo_dir, "audit", "consistency", str(old_size), str(new_size)).stdout)
    checked = sabt(
        demo_dir,
        "audit",
        "check-proof",
        str(tmp_path / "proof.json"),
        "--checkpoint",
        str(tmp_path / "new.txt"),
        "--old-checkpoint",
        str(tmp_path / "old.txt"),
        "--key",
        key,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout


def test_tampering_with_the_database_is_named_and_fails_the_audit(demo_dir, tmp_path):
    witnessed = tmp_path / "witness.txt"
    witnessed.write_text(sabt(demo_dir, "audit", "checkpoint").stdout)
    with sqlite3.connect(demo_dir / "registry.db") as db:
        db.execute("UPDATE persons SET first_name = 'جعلی' WHERE id = 3")
        db.execute("DELETE FROM ledger_checkpoints")
    result = sabt(demo_dir, "audit", "verify", "--checkpoint", str(witnessed))
    assert result.returncode == 1
    assert "changed: persons/3" in result.stderr


def _living(data: Path, sex: str) -> str:
    with sqlite3.connect(data / "registry.db") as db:
        # someone alive and unmarried, born early enough to marry
        row = db.execute(
            "SELECT national_code FROM persons p WHERE sex = ? AND died_on IS NULL AND birth_date < '2000-01-01' "
            "AND NOT EXISTS (SELECT 1 FROM marriages m WHERE (m.husband_id = p.id OR m.wife_id = p.id) "
            "AND m.ended_on IS NULL) ORDER BY id LIMIT 1",
            (sex,),
        ).fetchone()
    return row[0] if row else ""
