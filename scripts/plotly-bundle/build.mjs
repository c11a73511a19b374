// esbuild with plotly.js's own settings (its esbuild-config.js: IIFE global `Plotly`, CSS inlined,
// NODE_DEBUG false, regl aliased to the plotly flavour, global -> window), minified, licences kept.
// The CSS plugin is plotly's esbuild-plugin-inline-css, except that the <style> id hashes the path
// relative to this folder, not the absolute one: the same inputs give the same bytes wherever it runs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';

const inlineCss = {
    name: 'inline-css',
    setup(b) {
        b.onLoad({ filter: /\.css$/ }, (args) => {
            const id = createHash('sha256').update(path.relative(process.cwd(), args.path)).digest('hex');
            const css = readFileSync(args.path, 'utf8');
            return {
                loader: 'js',
                contents: `(function(){ if (!document.getElementById(${JSON.stringify(id)})) {
                    var e = document.createElement('style'); e.id = ${JSON.stringify(id)};
                    e.textContent = ${JSON.stringify(css)}; document.head.appendChild(e); } })();`,
            };
        });
    },
};

await build({
    entryPoints: ['entry.js'],
    outfile: process.argv[2],
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    plugins: [inlineCss, environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'warning',
});
