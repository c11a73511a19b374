"""Atlas GDR command line: init-db, seed-demo, import, create-user.

Every command reads DATABASE_URL (default: the embedded SQLite file).
"""
from __future__ import annotations

import argparse
import sys
import time

from config import get_settings


def cmd_init_db(args) -> int:
    from data_access.bootstrap import init_db

    t0 = time.perf_counter()
    counts = init_db(args.url)
    print("Base prête : " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f" ({time.perf_counter() - t0:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description="Atlas GDR — administration")
    parser.add_argument("--url", default=None, help="URL de la base (défaut : DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="crée ou met à jour le schéma, charge la géographie et les catalogues")
    args = parser.parse_args(argv)
    args.url = args.url or get_settings().database_url
    handlers = {"init-db": cmd_init_db}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
