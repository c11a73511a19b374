/* Offline geo maps (issue 15). A Plotly geo subplot needs a topojson of its base layers; plotly.js
 * looks it up in window.PlotlyGeoAssets before fetching it from `topojsonURL` (a CDN by default).
 * The app's maps draw their own GeoJSON with every base layer off (components/france_map.py,
 * geo.visible = false), so an empty topology is all they need: nothing is ever fetched. This file
 * loads before assets/vendor/plotly-atlas.min.js, which keeps an existing PlotlyGeoAssets. */
window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
window.PlotlyGeoAssets.topojson.world_110m = {type: 'Topology', objects: {}, arcs: []};
