"""The CSV export rounds like the screen: a rate ending in 5 at the second decimal (1/80 = 1.25 %) reads
"1,3" in the file, as text.format shows it, not "1,2" as binary half-to-even formatting (f"{v:.1f}") would."""
import csv
import io

from routes import french_csv
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments, add_ssr
from text.format import NBSP, fmt_pct

# stays, stays followed by SSR: 1/80 = 1.25 %, 1/160 = 0.625 %, 1/16 = 6.25 %
RATES = {"11": (80, 1), "04": (160, 1), "75": (16, 1)}


def _screen(num: int, den: int) -> str:
    """The on-screen text of the rate num/den, without its unit."""
    return fmt_pct(num / den).removesuffix(f"{NBSP}%")


def _binary(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _rows(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


def test_french_csv_writes_percentages_as_the_screen_rounds_them():
    rows = [{"code": code, "taux_pct": 100 * num / den} for code, (den, num) in RATES.items()]
    exported = {r["code"]: r["taux_pct"] for r in _rows(french_csv(rows, ["code", "taux_pct"], "x.csv").get_data(True))}
    assert exported == {"11": "1,3", "04": "0,6", "75": "6,3"}
    assert exported == {code: _screen(num, den) for code, (den, num) in RATES.items()}
    # the old formatting disagreed with the screen on these very values: the test can fail
    assert [_binary(r["taux_pct"]) for r in rows] == ["1,2", "0,6", "6,2"]


def test_ssr_csv_export_rates_read_as_on_screen_for_halves(dash_app, db_url):
    add_establishments(db_url, [
        ("750000019", "Hôpital privé de Paris", "prive", "MCO", "75056"),
        ("970400017", "Clinique de Saint-Denis", "espic", "MCO", "97411"),
        ("330000017", "Clinique du Lac", "prive", "MCO", "33063"),
    ])
    add_ssr(db_url, [("750000019", 2024, "PTG", "60-74", *RATES["11"]),
                     ("970400017", 2024, "PTG", "75+", *RATES["04"]),
                     ("330000017", 2024, "PTG", "75+", *RATES["75"])])
    with app_on(dash_app, db_url) as server:
        resp = signed_client(server).get("/export/ssr.csv?geste=PTG&annee=2024&niveau=reg")
    assert resp.status_code == 200
    exported = {r["code"]: r["taux_pct"] for r in _rows(resp.get_data(as_text=True))}
    assert exported == {code: _screen(num, den) for code, (den, num) in RATES.items()}
