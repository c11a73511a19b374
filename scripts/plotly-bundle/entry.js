// The trace types Atlas GDR draws, and nothing else (scatter comes with the core).
// Keep in step with components/ and scripts/build-plotly-bundle.sh's TRACES.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),            // /msap funnel bars
    require('plotly.js/lib/box'),            // /caqes indicator distributions
    require('plotly.js/lib/choropleth'),     // the maps of /ssr, /msap, /caqes, /ambulatoire (SVG geo: no WebGL, no tiles)
    require('plotly.js/lib/scattergeo'),     // inset frames and establishment markers on those maps
]);

module.exports = Plotly;
