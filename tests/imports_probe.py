"""What a fresh Python process has imported after running some code: for the tests that keep heavy
libraries (scipy.stats, scikit-learn, mapclassify) out of the app's workers."""
import json
import subprocess
import sys

from config import ROOT


def modules_after(code: str) -> set[str]:
    """The names in sys.modules once `code` has run in a new interpreter started in the project's root."""
    probe = code + "\nimport json as _json, sys as _sys; print(_json.dumps(sorted(_sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))
