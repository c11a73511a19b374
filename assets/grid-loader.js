/* AG Grid after the map (issue 15: a first load of /ssr transfers at most 900 KB until the map is drawn).

   AG Grid's bundle (dash_ag_grid.min.js and the async-community.js chunk it loads, about 0.6 MB
   compressed) is not in the page's script tags (factory.defer_grid_bundle marks it `dynamic`; Dash
   still serves it). Dash's renderer finds a component as window[namespace][type] each time it renders
   one, so `dash_ag_grid.AgGrid` is defined here: it draws an empty frame of the grid's size, waits
   until the page's Plotly graphs are drawn (at once on a page without any), then adds a <script> for
   the real bundle, at the fingerprinted address the server wrote in <meta name="atlas-grid-bundle">,
   and renders the real AgGrid with the same props (setProps, dashRenderType and every other prop that
   Dash passes). The bundle finds its async chunk next to it from document.currentScript, which is this
   added <script>.

   The bundle sets window.dash_ag_grid when it runs; this namespace is put back afterwards, so the
   component type Dash resolves stays the same and a grid already on screen is not mounted twice. */
(function () {
    "use strict";
    var React = window.React;
    var POLL_MS = 100;
    // Give up waiting for graphs that never finish drawing (a figure that failed): DRAW_WAIT_MS once
    // every graph has left Dash's "pending" state (Plotly is drawing), LOAD_WAIT_MS in any case.
    var DRAW_WAIT_MS = 2000;
    var LOAD_WAIT_MS = 10000;
    var real = null;      // the bundle's namespace, once it has run
    var loading = null;   // Promise of it, once asked for
    var settled = null;   // resolve() of `loaded`
    var loaded = new Promise(function (resolve) { settled = resolve; });

    function plotOf(graph) {
        return graph.classList.contains("js-plotly-plot") ? graph : graph.querySelector(".js-plotly-plot");
    }

    // "pending": a dcc.Graph still waiting for its chunk; "drawing": Plotly at work (a map waits for its
    // layers: gd._promises); "drawn" when every graph of the page is drawn, or the page has none.
    function graphsState() {
        var graphs = document.querySelectorAll(".dash-graph");
        var state = "drawn";
        for (var i = 0; i < graphs.length; i++) {
            if (graphs[i].classList.contains("dash-graph--pending")) {
                return "pending";
            }
            var gd = plotOf(graphs[i]);
            if (!gd || !gd._fullLayout || (gd._promises && gd._promises.length)) {
                state = "drawing";
            }
        }
        return state;
    }

    function afterGraphs() {
        return new Promise(function (resolve) {
            var start = Date.now();
            var drawingSince = null;
            (function check() {
                var state = graphsState();
                var now = Date.now();
                if (state !== "pending" && drawingSince === null) {
                    drawingSince = now;
                }
                if (state === "drawn" || now - start >= LOAD_WAIT_MS
                        || (drawingSince !== null && now - drawingSince >= DRAW_WAIT_MS)) {
                    resolve();
                } else {
                    window.setTimeout(check, POLL_MS);
                }
            }());
        });
    }

    function bundleUrl() {
        var meta = document.querySelector('meta[name="atlas-grid-bundle"]');
        return meta && meta.getAttribute("content");
    }

    function load() {
        if (loading === null) {
            loading = afterGraphs().then(function () {
                return new Promise(function (resolve, reject) {
                    var script = document.createElement("script");
                    script.src = bundleUrl();
                    // when the page stopped needing nothing but its first view: the first-load test
                    // and bench count the bytes of the requests sent before (wall clock, ms)
                    window.atlasGridRequestedAt = performance.timeOrigin + performance.now();
                    script.onload = function () {
                        real = window.dash_ag_grid;
                        window.dash_ag_grid = namespace;
                        LazyAgGrid.dashPersistence = real.AgGrid.dashPersistence;
                        settled(real);
                        resolve(real);
                    };
                    script.onerror = function () {
                        loading = null;  // a later grid asks again
                        reject(new Error("AG Grid bundle not loaded: " + script.src));
                    };
                    document.head.appendChild(script);
                });
            });
        }
        return loading;
    }

    function LazyAgGrid(props) {
        var pair = React.useState(function () { return real && real.AgGrid; });
        var Grid = pair[0];
        var setGrid = pair[1];
        React.useEffect(function () {
            if (Grid) {
                return undefined;
            }
            var mounted = true;
            load().then(function (ns) {
                if (mounted) {
                    setGrid(function () { return ns.AgGrid; });
                }
            });
            return function () { mounted = false; };
        }, []);
        if (Grid) {
            return React.createElement(Grid, props);
        }
        return React.createElement("div", {
            id: props.id,
            className: ((props.className || "") + " atlas-grid-pending").trim(),
            style: props.style,
            "aria-busy": "true"
        });
    }
    // What Dash's renderer reads on the component itself: it passes `dashRenderType` to components
    // that declare it, and persistence defaults come from `dashPersistence` (AG Grid's own values,
    // replaced by the bundle's once it has run).
    LazyAgGrid.dashRenderType = true;
    LazyAgGrid.dashPersistence = {persisted_props: ["selectedRows"], persistence_type: "local"};

    var namespace = {
        AgGrid: LazyAgGrid,
        getApi: function (id) {
            if (!real) {
                throw new Error("AG Grid is not loaded yet: use dash_ag_grid.getApiAsync('" + id + "')");
            }
            return real.getApi(id);
        },
        getApiAsync: function (id) {
            return loaded.then(function (ns) { return ns.getApiAsync(id); });
        }
    };
    window.dash_ag_grid = namespace;
}());
