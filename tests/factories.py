"""Hand-made datasets written straight into a test database (bypassing the import pipeline,
so query tests do not depend on it)."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from data_access import models
from data_access.db import get_engine

# real communes: code -> (département, region)
COMMUNES = {"33063": ("33", "75"), "24322": ("24", "75"), "75056": ("75", "11"), "97411": ("974", "04")}


def add_establishments(url: str, rows: list[tuple[str, str, str, str, str]]) -> None:
    """rows: (finess, name, legal_status, activity, commune_code)."""
    with get_engine(url).begin() as conn:
        for finess, name, status, activity, commune in rows:
            lat, lon = conn.execute(select(models.Commune.latitude, models.Commune.longitude)
                                    .where(models.Commune.code == commune)).one()
            dep, reg = COMMUNES[commune]
            conn.execute(insert(models.Establishment).values(
                finess=finess, name=name, legal_status=status, category="Test", activity=activity,
                commune_code=commune, departement_code=dep, region_code=reg, latitude=lat, longitude=lon,
                beds=100, places=10))
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def add_ssr(url: str, rows: list[tuple[str, int, str, str, int, int]]) -> None:
    """rows: (finess, year, gesture, age_band, stays, stays_with_ssr)."""
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.SsrRecourse), [
            dict(finess=f, year=y, gesture=g, age_band=a, stays=n, stays_with_ssr=k) for f, y, g, a, n, k in rows])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def small_ssr_dataset(url: str) -> None:
    """Four MCO establishments in Nouvelle-Aquitaine, Paris and La Réunion, two years."""
    add_establishments(url, [
        ("330000017", "Clinique du Lac", "prive", "MCO", "33063"),
        ("330000025", "CHU de Bordeaux", "public", "MCO+SSR", "33063"),
        ("240000011", "Centre hospitalier de Périgueux", "public", "MCO", "24322"),
        ("750000019", "Hôpital privé de Paris", "prive", "MCO", "75056"),
        ("970400017", "Clinique de Saint-Denis", "espic", "MCO", "97411"),
    ])
    add_ssr(url, [
        # 2024, PTG: Gironde 60+30 / 100+120; Dordogne 10/50; Paris 40/80; La Réunion 9/30
        ("330000017", 2024, "PTG", "75+", 60, 40), ("330000017", 2024, "PTG", "<60", 40, 20),
        ("330000025", 2024, "PTG", "60-74", 120, 30),
        ("240000011", 2024, "PTG", "75+", 50, 10),
        ("750000019", 2024, "PTG", "60-74", 80, 40),
        ("970400017", 2024, "PTG", "75+", 30, 9),
        # 2024, other gestures (for "les 4 gestes")
        ("330000017", 2024, "PTH", "75+", 20, 10), ("750000019", 2024, "LCA", "<60", 25, 2),
        ("240000011", 2024, "COIFFE", "60-74", 10, 1),
        # 2023
        ("330000017", 2023, "PTG", "75+", 50, 35), ("240000011", 2023, "PTG", "75+", 40, 12),
    ])
