"""Atlas GDR command line: init-db, seed-demo, import, create-user, disable-user, reset-password,
end-sessions, demo-users, delete-demo-users.

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
    if args.no_masks:
        print("Masques du secret statistique non calculés (--no-masks) : la première page en mode présentation "
              "de chaque année les calculera.")
    else:
        _precompute_masks(args.url)
    return 0


def _precompute_masks(url: str) -> None:
    """The presentation mode's masks of every year whose data changed, computed now rather than at the
    first presentation request (services.secrecy.precompute)."""
    from services import secrecy

    t0 = time.perf_counter()
    done = secrecy.precompute(url)
    if done:
        print(f"Secret statistique : masques de {len(done)} année(s) × vue calculés en {time.perf_counter() - t0:.1f} s")


def cmd_import(args) -> int:
    from data_access import users
    from data_access.imports import ImportRejected, import_file

    target = f"{args.kind} {os.path.basename(args.file)}"
    try:
        report = import_file(args.url, args.kind, args.file, user=args.user)
    except ImportRejected as exc:
        users.record(args.url, args.user, "import_refuse", target=target, detail=str(exc)[:2000])
        print(f"Import refusé, rien n'a été écrit.\n{exc}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"Fichier introuvable : {args.file}", file=sys.stderr)
        return 1
    users.record(args.url, args.user, "import", target=target,
                 detail=f"{report.inserted} ajoutées, {report.updated} mises à jour, version {report.data_version}")
    print(f"Import « {report.kind} » réussi : {report.inserted} lignes ajoutées, {report.updated} mises à jour "
          f"(version des données {report.data_version}).")
    _precompute_masks(args.url)
    return 0


def _read_password() -> str:
    """The password from standard input (first line): never on the command line, where `ps` shows it."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Mot de passe : ")
    return sys.stdin.readline().rstrip("\r\n")


def _user_change(change, failure: str, success: str) -> int:
    """Run a change to a user; a ValueError (French) is reported on stderr with exit code 1."""
    try:
        change()
    except ValueError as exc:
        print(f"{failure} : {exc}", file=sys.stderr)
        return 1
    print(success)
    return 0


def cmd_create_user(args) -> int:
    from security import accounts

    return _user_change(lambda: accounts.create_user(args.url, args.login, _read_password(), args.role),
                        "Utilisateur non créé", f"Utilisateur « {args.login} » créé (rôle {args.role}).")


def cmd_reset_password(args) -> int:
    from security import accounts

    return _user_change(lambda: accounts.reset_password(args.url, args.login, _read_password()),
                        "Mot de passe inchangé",
                        f"Mot de passe de « {args.login} » changé ; ses sessions ouvertes sont fermées.")


def cmd_disable_user(args) -> int:
    from data_access import users

    return _user_change(lambda: users.disable(args.url, args.login), "Utilisateur inchangé",
                        f"Utilisateur « {args.login} » désactivé ; ses sessions ouvertes sont fermées.")


def cmd_end_sessions(args) -> int:
    from data_access import users

    try:
        ended = users.end_user_sessions(args.url, args.login, "admin")
    except ValueError as exc:
        print(f"Sessions inchangées : {exc}", file=sys.stderr)
        return 1
    users.record(args.url, os.environ.get("USER", "cli"), "sessions_fermees", target=args.login,
                 detail=f"{ended} session(s) fermée(s) (ligne de commande)")
    print(f"{ended} session(s) ouverte(s) de « {args.login} » fermée(s).")
    return 0


def cmd_demo_users(args) -> int:
    from security import accounts

    accounts.ensure_demo_accounts(args.url)
    print("Comptes de démonstration (mot de passe « " + accounts.DEMO_PASSWORD + " ») : "
          + ", ".join(f"{login} ({role})" for login, role in accounts.DEMO_ACCOUNTS.items()))
    return 0


def cmd_delete_demo_users(args) -> int:
    from data_access import users

    print(f"{users.delete_demo(args.url)} compte(s) de démonstration supprimé(s).")
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
    seed.add_argument("--no-masks", action="store_true",
                      help="ne pas calculer les masques du mode présentation (≈ 30 min à l'échelle stress)")
    imp = sub.add_parser("import", help="importe un fichier CSV ou XLSX (tout ou rien)")
    imp.add_argument("kind", help="establishments, ssr_recourse, ambulatory_surgery, profile_values, "
                                  "caqes_contracts, caqes_results, msap_decisions, ambulatory_targets, campaigns, actions")
    imp.add_argument("file")
    imp.add_argument("--user", default=os.environ.get("USER", "cli"))
    roles = ["admin", "analyste", "medecin_conseil", "iraps"]
    create = sub.add_parser("create-user", help="crée un utilisateur ; le mot de passe est lu sur l'entrée standard")
    create.add_argument("login")
    create.add_argument("--role", required=True, choices=roles)
    reset = sub.add_parser("reset-password", help="change le mot de passe (lu sur l'entrée standard)")
    reset.add_argument("login")
    disable = sub.add_parser("disable-user", help="désactive un utilisateur")
    disable.add_argument("login")
    end = sub.add_parser("end-sessions", help="ferme toutes les sessions ouvertes d'un utilisateur")
    end.add_argument("login")
    sub.add_parser("demo-users", help="crée les comptes de démonstration (un par rôle)")
    sub.add_parser("delete-demo-users", help="supprime les comptes de démonstration")
    args = parser.parse_args(argv)
    args.url = args.url or get_settings().database_url
    handlers = {"init-db": cmd_init_db, "seed-demo": cmd_seed_demo, "import": cmd_import,
                "create-user": cmd_create_user, "reset-password": cmd_reset_password,
                "disable-user": cmd_disable_user, "end-sessions": cmd_end_sessions, "demo-users": cmd_demo_users,
                "delete-demo-users": cmd_delete_demo_users}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
