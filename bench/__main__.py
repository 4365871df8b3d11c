"""`python -m bench [NAME …]` runs benchmarks and writes bench/results/NAME.json.

Every benchmark measures a baseline in the same run, on the same data and machine, and reports the ratio:
  synth          people generated per second, against writing the same number of CSV rows
  import         `sabt import` on SQLite and PostgreSQL, against a raw executemany / COPY of the same rows
  registry-read  a person looked up through the service layer, against a raw indexed SELECT; the access-log
                 write's share of it
  ledger         bulk appends against hashlib alone; proof time; registration with and without the ledger
  verify         the partner yes/no check over HTTP under load (wrk), against a no-op endpoint of the same server
  certificates   QR verification (offline, and online on both databases) against raw Ed25519 verification;
                 PDFs printed per second against Typst compiling a one-line page
  stats          every indicator by province × month for a year against the same aggregates in DuckDB;
                 the dashboard page against a no-op endpoint
  linkage        `sabt linkage run` over a registry loaded from a legacy register (time, peak memory) against
                 DuckDB's exact self-join; the check before a birth is registered against a look-up by code
  notifications  facilities' birth notifications over HTTP under load (wrk), against a no-op endpoint of the same
                 server; the time from a notification sent to a clerk's read of it
  availability   (not in the default set) a three-node Patroni cluster: the write outage when the primary is
                 killed (median of 5) against Patroni's own promotion time, registrations lost, checks
                 refused during the switch, replay lag; reads on 1 and 2 standbys against the primary alone
  scale          (not in the default set) the national-scale load on PostgreSQL, e.g. --people 10000000
"""

import argparse
import tempfile
from pathlib import Path

from .suite import run_import, run_registry_read, run_synth

DEFAULT = ("synth", "import", "registry-read", "ledger", "certificates", "verify", "stats", "linkage", "notifications")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"{', '.join(DEFAULT)}, availability or scale")
    parser.add_argument("--people", type=int, default=None, help="population size (default: per benchmark)")
    parser.add_argument("--certificates", type=int, default=1000, help="certificates: how many to issue and verify")
    parser.add_argument("--leaves", type=int, default=200_000, help="ledger: how many leaves to append")
    parser.add_argument(
        "--backend",
        action="append",
        choices=["sqlite", "postgresql"],
        help="ledger, verify, stats, linkage, notifications: only these",
    )
    parser.add_argument("--from", dest="folder", type=Path, default=None, help="scale: an existing synth folder")
    arguments = parser.parse_args()
    unknown = set(arguments.names) - {*DEFAULT, "availability", "scale"}
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="sabt-bench-") as scratch:
        workdir = Path(scratch)
        for name in arguments.names or DEFAULT:
            if name == "synth":
                run_synth(arguments.people or 200_000, workdir)
            elif name == "import":
                run_import(arguments.people or 20_000, workdir)
            elif name == "registry-read":
                run_registry_read(arguments.people or 20_000, workdir)
            elif name == "certificates":
                from .certificates_bench import run_certificates

                run_certificates(arguments.people or 20_000, arguments.certificates, workdir)
            elif name == "verify":
                from .verify_bench import run_verify

                backends = tuple(arguments.backend or ("sqlite", "postgresql"))
                run_verify(arguments.people or 100_000, workdir, backends)
            elif name == "stats":
                from .stats_bench import run_stats

                run_stats(arguments.people or 100_000, workdir, tuple(arguments.backend or ("sqlite", "postgresql")))
            elif name == "linkage":
                from .linkage_bench import run_linkage

                run_linkage(arguments.people or 100_000, workdir, tuple(arguments.backend or ("sqlite", "postgresql")))
            elif name == "notifications":
                from .notifications_bench import run_notifications

                backends = tuple(arguments.backend or ("sqlite", "postgresql"))
                run_notifications(arguments.people or 20_000, workdir, backends)
            elif name == "ledger":
                from .ledger_bench import run_ledger

                run_ledger(arguments.leaves, workdir, tuple(arguments.backend or ("sqlite", "postgresql")))
            elif name == "availability":
                from .availability_bench import run_availability

                run_availability(arguments.people or 20_000, workdir)
            else:
                from .scale import run_scale

                people = arguments.people or 10_000_000
                run_scale(people, arguments.folder or workdir / "nation", workdir)


if __name__ == "__main__":
    main()
