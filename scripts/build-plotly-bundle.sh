#!/usr/bin/env bash
# Rebuilds assets/vendor/plotly-atlas.min.js: plotly.js with only the trace types Atlas GDR draws.
#
# Why: Dash serves the full plotly.min.js (≈ 4.8 MB, 1.4 MB gzipped) to draw five trace types. dcc.Graph
# uses `window.Plotly` when a page already defines it, so this smaller bundle, served from assets/, replaces
# the full one on every page (factory.py needs nothing for it; `use_light_bundles` only drops dash_table).
#
# Reproducible: plotly.js and the build tools are pinned exactly in scripts/plotly-bundle/package.json and
# its package-lock.json (installed with `npm ci` from the npm registry into a temporary folder); the
# bundle is built by esbuild with plotly.js's own build settings (scripts/plotly-bundle/build.mjs) from
# scripts/plotly-bundle/entry.js, which names the traces. Same inputs, same bytes: the script prints the
# SHA-256 of the result.
#
# To change the traces: edit entry.js (a new `go.X` or {"type": "x"} in components/ needs its trace
# here, or the graph shows nothing and the console says the trace type is unknown), run this script,
# commit entry.js and the new bundle.
# To move to another plotly.js version: set it in package.json (keep it equal to the plotly.js that the
# installed `plotly` Python package bundles: `python -c "import plotly.offline as o; print(o.get_plotlyjs_version())"`),
# run `npm install --package-lock-only` in scripts/plotly-bundle/, then this script.
#
# Needs node ≥ 18 and npm (Debian: apt-get install nodejs npm). Usage: bash scripts/build-plotly-bundle.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
src="$here/plotly-bundle"
out="$root/assets/vendor/plotly-atlas.min.js"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$src/package.json" "$src/package-lock.json" "$src/entry.js" "$src/build.mjs" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error && node build.mjs "$work/plotly-atlas.min.js")
mkdir -p "$(dirname "$out")"
{
  version="$(node -p "require('$work/node_modules/plotly.js/package.json').version")"
  traces="$(grep -o "require('plotly.js/lib/[a-z]*')" "$src/entry.js" | sed "s/.*lib\/\([a-z]*\).*/\1/" | grep -v '^core$' | paste -sd, -)"
  printf '/* plotly.js %s partial bundle for Atlas GDR (traces: scatter,%s), built by scripts/build-plotly-bundle.sh. plotly.js: MIT licence; licences of the bundled modules at the end. */\n' "$version" "$traces"
  cat "$work/plotly-atlas.min.js"
} > "$out"
echo "$out: $(wc -c < "$out") bytes, gzip -9 $(gzip -9 -c "$out" | wc -c) bytes, sha256 $(sha256sum "$out" | cut -c1-16)"
