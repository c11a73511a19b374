"""Atlas GDR command line: init-db, seed-demo, import, create-user.

Every command reads DATABASE_URL (default: the embedded SQLite file).
"""
from __future__ import annotations

import argparse
import os
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


def cmd_seed_demo(args) -> int:
    from data_access import demo, queries
    from data_access.bootstrap import init_db

    init_db(args.url)
    if args.if_empty:
        counts = queries.dataset_counts(args.url)
        if (counts["rows"] > 0).all():
            print("Données de démonstration déjà présentes : rien à faire.")
            return 0
    t0 = time.perf_counter()
    reports = demo.seed_demo(args.url, scale=args.scale, seed=args.seed)
    total = sum(r.inserted + r.updated for r in reports.values())
    print(f"Démonstration « {args.scale} » chargée : {total:,} lignes en {time.perf_counter() - t0:.1f} s".replace(",", "\u00a0"))
    return 0


def cmd_import(args) -> int:
    from data_access.imports import ImportRejected, import_file

    try:
        report = import_file(args.url, args.kind, args.file, user=args.user)
    except ImportRejected as exc:
        print(f"Import refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"Fichier introuvable : {args.file}", file=sys.stderr)
        return 1
    print(f"Import « {report.kind} » réussi : {report.inserted} lignes ajoutées, {report.updated} mises à jour "
          f"(version des données {report.data_version}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description="Atlas GDR — administration")
    parser.add_argument("--url", default=None, help="URL de la base (défaut : DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="crée ou met à jour le schéma, charge la géographie et les catalogues")
    seed = sub.add_parser("seed-demo", help="génère et importe les données de démonstration")
    seed.add_argument("--scale", choices=["region", "national", "stress"], default="national")
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--if-empty", action="store_true", help="ne rien faire si toutes les données sont présentes")
    imp = sub.add_parser("import", help="importe un fichier CSV ou XLSX (tout ou rien)")
    imp.add_argument("kind", help="establishments, ssr_recourse, ambulatory_surgery, profile_values, "
                                  "caqes_contracts, caqes_results, msap_decisions")
    imp.add_argument("file")
    imp.add_argument("--user", default=os.environ.get("USER", "cli"))
    args = parser.parse_args(argv)
    args.url = args.url or get_settings().database_url
    handlers = {"init-db": cmd_init_db, "seed-demo": cmd_seed_demo, "import": cmd_import}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
