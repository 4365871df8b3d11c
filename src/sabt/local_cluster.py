"""A replicated PostgreSQL cluster on one machine: three PostgreSQL 15 nodes managed by Patroni with etcd,
archiving WAL to a pgBackRest repository, all from Debian's packages and all on loopback.

It is what the availability tests, the availability benchmark and an operator's first try of the three-node
layout (docs/operations.md) run on: `python -m sabt.local_cluster up FOLDER` starts one and prints its URLs,
`python -m sabt.local_cluster down FOLDER` stops it. Everything lives in FOLDER; nothing is installed.

The choices that matter for the registry, each set below where it is configured:
- synchronous commit to one standby (Patroni's synchronous mode), so that an acknowledged write is on two
  machines and Patroni promotes only a standby that has it;
- a primary whose PostgreSQL dies is replaced at once (`primary_start_timeout: 0`) rather than restarted in
  place: with synchronous replication that loses nothing, and it is the failover an operator drills;
- every WAL segment archived to pgBackRest, so a backup can be restored to any moment since it was taken.
"""

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
SCOPE = "sabt"
STANZA = "sabt"
DATABASE = "sabt"
NODES = 3
START_SECONDS = 120.0
# Patroni checks every second; a leader key lapses after 10 s. A killed postmaster is noticed within the
# next loop, so failover takes a few seconds, not the lapse of the key.
LOOP_WAIT = 1
TTL = 10
RETRY_TIMEOUT = 4


class ClusterError(RuntimeError):
    """The cluster could not be started or did not reach the state asked for in time."""


@dataclass
class Node:
    name: str
    pg_port: int
    api_port: int
    folder: Path

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def config_file(self) -> Path:
        return self.folder / "patroni.yml"


@dataclass
class LocalCluster:
    folder: Path
    nodes: list[Node]
    etcd_port: int
    etcd_peer_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    # --- addresses -------------------------------------------------------------------------------------

    def hosts(self) -> str:
        return ",".join(f"127.0.0.1:{node.pg_port}" for node in self.nodes)

    def url(self, *, standby: bool = False, nodes: list[Node] | None = None) -> str:
        """Sabt's database URL: every node listed (or only `nodes`), libpq picking the writable one (or, for
        reads, a standby at random, the primary only when no standby answers)."""
        hosts = "&".join(f"host=127.0.0.1:{node.pg_port}" for node in nodes or self.nodes)
        attrs = (
            "target_session_attrs=prefer-standby&load_balance_hosts=random"
            if standby
            else ("target_session_attrs=read-write")
        )
        return f"postgresql+psycopg://postgres@/{DATABASE}?{hosts}&{attrs}&connect_timeout=2"

    def node_url(self, node: Node, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{node.pg_port}/{database}?connect_timeout=2"

    # --- state -----------------------------------------------------------------------------------------

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the cluster (`/cluster` of any node's REST API that answers)."""
        for node in self.nodes:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{node.api_port}/cluster", timeout=2) as answer:
                    members: list[dict[str, Any]] = json.load(answer)["members"]
                    return members
            except OSError:
                continue
        return []

    def leader(self) -> Node | None:
        for member in self.members():
            if member.get("role") == "leader" and member.get("state") == "running":
                return self._node(member["name"])
        return None

    def standbys(self) -> list[Node]:
        leader = self.leader()
        return [node for node in self.nodes if node is not leader]

    def sync_standby(self) -> Node | None:
        for member in self.members():
            if member.get("role") == "sync_standby":
                return self._node(member["name"])
        return None

    def wait_until_healthy(self, *, standbys: int = NODES - 1, seconds: float = START_SECONDS) -> Node:
        """Wait for a running leader, `standbys` streaming standbys and a synchronous one among them."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            members = self.members()
            leader = self.leader()
            streaming = [m for m in members if m.get("role") != "leader" and m.get("state") in ("running", "streaming")]
            has_sync = any(m.get("role") == "sync_standby" for m in members)
            if leader is not None and len(streaming) >= standbys and (has_sync or standbys == 0):
                return leader
            time.sleep(0.2)
        raise ClusterError(f"the cluster did not become healthy in {seconds:.0f} s: {self.members()}")

    @contextmanager
    def maintenance(self, seconds: float = 30.0) -> Iterator[None]:
        """Patroni's maintenance mode (what `patronictl pause` sets): no failover, and no node undoes what an
        operator did by hand. Without it, every loop of Patroni resumes a standby's paused WAL replay."""
        self._set_pause(True, seconds)
        try:
            yield
        finally:
            self._set_pause(False, seconds)

    def _set_pause(self, pause: bool, seconds: float) -> None:
        leader = self.wait_until_healthy()
        change = urllib.request.Request(
            f"http://127.0.0.1:{leader.api_port}/config",
            data=json.dumps({"pause": pause}).encode(),
            headers={"Content-Type": "application/json"},
            method="PATCH",
        )
        with urllib.request.urlopen(change, timeout=5):  # noqa: S310 - an http://127.0.0.1 address, built above
            pass
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(self._node_pause(node) is pause for node in self.nodes):
                return
            time.sleep(0.2)
        raise ClusterError(f"not every node saw pause={pause} in {seconds:.0f} s: {self.members()}")

    @staticmethod
    def _node_pause(node: Node) -> bool | None:
        """Whether this node's Patroni has seen maintenance mode (`/patroni` names it only while it is on)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{node.api_port}/patroni", timeout=2) as answer:
                return bool(json.load(answer).get("pause", False))
        except OSError:
            return None

    def postmaster_pid(self, node: Node) -> int:
        return int((node.data_dir / "postmaster.pid").read_text().split()[0])

    def kill_postmaster(self, node: Node) -> None:
        """What a crashed database server looks like: its postmaster killed with no chance to clean up."""
        os.kill(self.postmaster_pid(node), signal.SIGKILL)

    def _node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    # --- life ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._start_etcd()
        for node in self.nodes:
            self.processes[node.name] = _spawn(["patroni", str(node.config_file)], self.folder / f"{node.name}.log")
        try:
            self.wait_until_healthy()
        except ClusterError as error:
            raise ClusterError(f"{error}\n{self.log_tails()}") from None
        leader = self.leader()
        assert leader is not None
        self._create_stanza()
        with closing(psycopg.connect(self.node_url(leader, "postgres"), autocommit=True)) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
                admin.execute(f'CREATE DATABASE "{DATABASE}"')

    def log_tails(self, lines: int = 15) -> str:
        """The end of etcd's and each node's log, for an error that says why the cluster did not start."""
        tails = []
        for name in ("etcd", *(node.name for node in self.nodes)):
            log = self.folder / f"{name}.log"
            text = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else ["(no log)"]
            tails.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(tails)

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM if name != "etcd" else signal.SIGKILL)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for node in self.nodes:  # a postmaster left behind by a killed Patroni
            with contextlib.suppress(OSError, ValueError):
                os.kill(self.postmaster_pid(node), signal.SIGKILL)
        self.processes.clear()

    def _start_etcd(self) -> None:
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        client = f"http://127.0.0.1:{self.etcd_port}"
        command = [
            "etcd",
            "--name=etcd",
            f"--data-dir={self.folder / 'etcd'}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=etcd={peer}",
        ]
        self.processes["etcd"] = _spawn(command, self.folder / "etcd.log")
        _wait_for_port(self.etcd_port)

    def _create_stanza(self) -> None:
        """pgBackRest's repository for this cluster; WAL archiving starts succeeding from here on."""
        leader = self.leader()
        assert leader is not None
        pgbackrest(self, "stanza-create")
        pgbackrest(self, "check")

    # --- backups ---------------------------------------------------------------------------------------

    @property
    def backup_config(self) -> Path:
        return self.folder / "pgbackrest.conf"


def pgbackrest(
    cluster: LocalCluster, *arguments: str, check: bool = True, node_free: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run pgBackRest against the cluster's repository as the database's own user, on the primary (unless
    `node_free`: a restore names its own folder)."""
    command = ["pgbackrest", f"--config={cluster.backup_config}", f"--stanza={STANZA}"]
    if not node_free:
        node = cluster.leader() or cluster.nodes[0]
        command += [f"--pg1-path={node.data_dir}", f"--pg1-port={node.pg_port}", f"--pg1-socket-path={node.folder}"]
    command += arguments
    # The commands are Debian's own programs with arguments built here, never a caller's text.
    result = subprocess.run(command, capture_output=True, text=True, **_as_database_user())  # noqa: S603
    if check and result.returncode != 0:
        raise ClusterError(f"pgbackrest {' '.join(arguments)} failed: {result.stdout}{result.stderr}")
    return result


@dataclass
class RestoredServer:
    """A PostgreSQL server of its own, started from a pgBackRest restore: the registry as it was."""

    data_dir: Path
    port: int

    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        _pg_ctl(self.data_dir, "stop", "-m", "fast")


def restore_to(cluster: LocalCluster, moment: str, folder: Path) -> RestoredServer:
    """Restore the newest backup into `folder`, replay the archived WAL up to `moment` (a timestamp with its
    zone) and start it, apart from the cluster, on a port of its own."""
    folder.mkdir(parents=True)
    _give_to_database_user(folder)
    data_dir = folder / "data"
    pgbackrest(
        cluster,
        "restore",
        f"--pg1-path={data_dir}",
        "--type=time",
        f"--target={moment}",
        "--target-action=promote",
        "--target-timeline=current",
        check=True,
        node_free=True,
    )
    port = _free_ports(1)[0]
    # The cluster's own settings came with the data folder: this server listens elsewhere and archives nothing.
    _pg_ctl(
        data_dir,
        "start",
        "-w",
        "-t",
        "120",
        "-l",
        str(folder / "postgresql.log"),
        "-o",
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c archive_mode=off "
        "-c synchronous_standby_names=''",
    )
    _wait_until_writable(f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}")
    return RestoredServer(data_dir=data_dir, port=port)


def _pg_ctl(data_dir: Path, *arguments: str) -> None:
    command = [str(POSTGRES_BIN / "pg_ctl"), "-D", str(data_dir), *arguments]
    result = subprocess.run(command, capture_output=True, text=True, **_as_database_user())  # noqa: S603
    if result.returncode != 0:
        raise ClusterError(f"pg_ctl {arguments[0]} failed: {result.stdout}{result.stderr}")


def _wait_until_writable(url: str, seconds: float = START_SECONDS) -> None:
    """Recovery ends with a promotion: until then the restored server is read-only."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with closing(psycopg.connect(url, connect_timeout=2)) as connection:
                if connection.execute("SELECT NOT pg_is_in_recovery()").fetchone() == (True,):
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(0.2)
    raise ClusterError(f"the restored server did not finish its recovery in {seconds:.0f} s")


def create_cluster(folder: Path) -> LocalCluster:
    """Write the configuration of a new cluster into `folder` (empty or missing); start it with `start()`."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = _free_ports(2 + 2 * NODES)
    nodes = [
        Node(name=f"node{i + 1}", pg_port=ports[2 + 2 * i], api_port=ports[3 + 2 * i], folder=folder / f"node{i + 1}")
        for i in range(NODES)
    ]
    cluster = LocalCluster(folder=folder, nodes=nodes, etcd_port=ports[0], etcd_peer_port=ports[1])
    password = secrets.token_urlsafe(16)  # Patroni's own roles; Sabt signs in by trust on loopback
    for node in nodes:
        node.folder.mkdir(exist_ok=True)
        node.config_file.write_text(yaml.safe_dump(_patroni_config(cluster, node, password), sort_keys=False))
        node.config_file.chmod(0o600)
    (folder / "backups").mkdir(exist_ok=True)
    cluster.backup_config.write_text(_pgbackrest_config(cluster))
    _give_to_database_user(folder)
    return cluster


@contextmanager
def running_cluster(folder: Path, *, attempts: int = 2) -> Iterator[LocalCluster]:
    """A started cluster in `folder`, stopped at the end. A start that fails (on a busy machine a node can
    miss its bootstrap) is reported on stderr with the logs and tried again in a new folder beside it."""
    for attempt in range(1, attempts + 1):
        cluster = create_cluster(folder if attempt == 1 else folder.with_name(f"{folder.name}-{attempt}"))
        try:
            cluster.start()
            break
        except ClusterError as error:
            cluster.stop()
            if attempt == attempts:
                raise
            print(f"the cluster did not start, trying again: {error}", file=sys.stderr)
    try:
        yield cluster
    finally:
        cluster.stop()


def _patroni_config(cluster: LocalCluster, node: Node, password: str) -> dict[str, Any]:
    archive = (
        f"pgbackrest --config={cluster.backup_config} --stanza={STANZA} --pg1-path={node.data_dir} archive-push %p"
    )
    return {
        "scope": SCOPE,
        "name": node.name,
        "log": {"level": "INFO"},
        "restapi": {"listen": f"127.0.0.1:{node.api_port}", "connect_address": f"127.0.0.1:{node.api_port}"},
        "etcd3": {"hosts": f"127.0.0.1:{cluster.etcd_port}"},
        "bootstrap": {
            "dcs": {
                "ttl": TTL,
                "loop_wait": LOOP_WAIT,
                "retry_timeout": RETRY_TIMEOUT,
                "maximum_lag_on_failover": 1024 * 1024,
                "primary_start_timeout": 0,
                "synchronous_mode": True,
                "synchronous_node_count": 1,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "max_wal_senders": 10,
                        "max_replication_slots": 10,
                        "wal_keep_size": "256MB",
                        "wal_log_hints": "on",
                        "archive_mode": "on",
                        "archive_timeout": 5,
                        "max_connections": 200,
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            "pg_hba": [
                "local all all trust",
                "host all all 127.0.0.1/32 trust",
                "host replication all 127.0.0.1/32 trust",
            ],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{node.pg_port}",
            "connect_address": f"127.0.0.1:{node.pg_port}",
            "data_dir": str(node.data_dir),
            "bin_dir": str(POSTGRES_BIN),
            "pgpass": str(node.folder / "pgpass"),
            "authentication": {
                "superuser": {"username": "postgres", "password": password},
                "replication": {"username": "replicator", "password": password},
                "rewind": {"username": "rewinder", "password": password},
            },
            # Here, not in the shared settings: pgBackRest finds the segment from the node's own data folder.
            "parameters": {"unix_socket_directories": str(node.folder), "archive_command": archive},
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False, "nosync": False},
    }


def _pgbackrest_config(cluster: LocalCluster) -> str:
    return "\n".join(
        [
            "[global]",
            f"repo1-path={cluster.folder / 'backups'}",
            "repo1-retention-full=2",
            f"lock-path={cluster.folder / 'pgbackrest-lock'}",
            f"log-path={cluster.folder}",
            "log-level-file=off",
            "log-level-console=warn",
            "start-fast=y",
            "archive-async=n",
            "",
        ]
    )


def _as_database_user() -> dict[str, Any]:
    """PostgreSQL refuses to run as root: as root, its processes run as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    env = {**os.environ, "HOME": user.pw_dir, "USER": "postgres"}
    # In its own home: run from a checkout the user may not enter (a clone in a private temporary folder, as
    # CI makes), PostgreSQL cannot find its working directory and Patroni's bootstrap never completes.
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "env": env, "cwd": user.pw_dir}


def _give_to_database_user(folder: Path) -> None:
    if os.geteuid() != 0:
        return
    user = pwd.getpwnam("postgres")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    for parent in folder.parents:  # the user must reach the folder
        parent.chmod(parent.stat().st_mode | 0o011)


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 (Debian's own programs with arguments built here)
            command, stdout=output, stderr=subprocess.STDOUT, **_as_database_user()
        )


def _free_ports(count: int) -> list[int]:
    """Ports free now and below the range the kernel hands out as clients' source ports: a port taken
    from that range can be taken again by any outgoing connection before the node listens on it."""
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    lowest_ephemeral = int(ephemeral.read_text().split()[0]) if ephemeral.exists() else 32768
    candidates = list(range(max(1024, lowest_ephemeral - 12000), lowest_ephemeral))
    secrets.SystemRandom().shuffle(candidates)
    ports: list[int] = []
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise ClusterError(f"no {count} free ports below {lowest_ephemeral}")


def _wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ClusterError(f"nothing listens on port {port} after {seconds:.0f} s")


def main(arguments: list[str]) -> int:
    if len(arguments) != 2 or arguments[0] not in ("up", "down"):
        print("usage: python -m sabt.local_cluster up|down FOLDER", file=sys.stderr)
        return 2
    action, folder = arguments[0], Path(arguments[1]).resolve()
    if action == "down":
        return _down(folder)
    cluster = create_cluster(folder)
    cluster.start()
    (folder / "pids").write_text(" ".join(str(p.pid) for p in cluster.processes.values()))
    print(f"SABT_DATABASE_URL='{cluster.url()}'")
    print(f"SABT_READ_DATABASE_URL='{cluster.url(standby=True)}'")
    return 0


def _down(folder: Path) -> int:
    pids = folder / "pids"
    if not pids.exists():
        print(f"no cluster runs from {folder}", file=sys.stderr)
        return 1
    for pid in pids.read_text().split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)
    pids.unlink()
    shutil.rmtree(folder / "pgbackrest-lock", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
