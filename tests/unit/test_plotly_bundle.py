"""The partial plotly.js bundle (assets/vendor/plotly-atlas.min.js) draws every trace type the app uses."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "scripts" / "plotly-bundle" / "entry.js"


def used_trace_types() -> set[str]:
    found = set()
    for path in [*ROOT.glob("components/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("callbacks/*.py"),
                 *ROOT.glob("services/*.py")]:
        source = path.read_text(encoding="utf-8")
        found |= {m.lower() for m in re.findall(r"\bgo\.([A-Z][a-z]+)\(", source) if m != "Figure"}
        found |= set(re.findall(r"""["']type["']\s*:\s*["']([a-z]+)["'],\s*["'](?:x|y|z|mode|orientation|"""
                                r"""geojson|lat|lon|locations|name)["']""", source))
    return found


def test_every_trace_type_the_app_draws_is_in_the_bundle():
    registered = set(re.findall(r"require\('plotly\.js/lib/([a-z]+)'\)", ENTRY.read_text())) | {"scatter"}
    registered.discard("core")
    used = used_trace_types()
    assert {"choropleth", "scattergeo", "scatter", "bar", "box"} <= used  # the scan finds them
    assert used <= registered, sorted(used - registered)


def test_the_bundle_is_the_one_entry_js_builds():
    bundle = (ROOT / "assets" / "vendor" / "plotly-atlas.min.js").read_text(encoding="utf-8")
    header = bundle.splitlines()[0]
    registered = set(re.findall(r"require\('plotly\.js/lib/([a-z]+)'\)", ENTRY.read_text())) - {"core"}
    assert all(name in header for name in registered), header
