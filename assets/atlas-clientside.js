/* Atlas GDR clientside functions, one namespace: window.dash_clientside.atlas.
   Called from Python with ClientsideFunction("atlas", name) (components/address.py wires them),
   so no JavaScript lives in Python strings. */
(function () {
    var noUpdate = function () { return window.dash_clientside.no_update; };

    function param(search, key) { return new URLSearchParams(search).get(key) || ''; }

    /* The address follows the view. `address` is what the page's service built:
       {path: "/ssr", search: "?geste=PTG&...", push: ["focus"]}.
       A change of a parameter named in `push` (a drill-down) is a new history entry, so the back
       button steps back through drill-downs; any other change replaces the current entry.
       Dash's router is not told (no re-render); on "back" the router rebuilds the page from the
       address. Nothing is written once the user has left the page (the store can answer late). */
    function writeAddress(address) {
        if (!address || typeof address.search !== 'string') { return noUpdate(); }
        var here = window.location.pathname;
        if (address.path && here !== address.path && here.indexOf(address.path + '/') !== 0) { return noUpdate(); }
        var search = address.search;
        if (window.location.search === search) { return noUpdate(); }
        var push = (address.push || []).some(function (key) {
            return param(window.location.search, key) !== param(search, key);
        });
        var url = here + search + window.location.hash;
        if (push && window.location.search) {
            window.history.pushState({}, '', url);
        } else {
            window.history.replaceState({}, '', url);
        }
        return search;
    }

    /* /etablissements: a click on a row opens its profile (the row's id is the FINESS, or the
       anonymised code), without asking the server: the router's request is the only one. The name
       column holds a real link (for the keyboard), which navigates by itself. */
    function profileOfRow(cell) {
        if (!cell || !cell.rowId || cell.colId === 'lien') { return noUpdate(); }
        return '/etablissement/' + encodeURIComponent(String(cell.rowId));
    }

    /* Go to a page of the app without reloading it (a grid row opening a profile). */
    function navigate(url) {
        if (!url || typeof url !== 'string' || url.charAt(0) !== '/' || url.charAt(1) === '/') { return noUpdate(); }
        window.history.pushState({}, '', url);
        // Dash's router listens for this event to render the new address (dash-renderer's own
        // dcc.Link does the same); kept in this one place.
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        window.scrollTo(0, 0);
        return url;
    }

    /* The header's presentation switches reload the page with ?presentation= / ?anonyme= in its
       address: the server sets the session's mode from them (security.auth) and every figure is
       rebuilt in that mode. */
    function switchMode(presentation, anonyme) {
        var params = new URLSearchParams(window.location.search);
        var on = (presentation || []).indexOf('oui') >= 0;
        params.set('presentation', on ? 'oui' : 'non');
        params.set('anonyme', on && (anonyme || []).indexOf('oui') >= 0 ? 'oui' : 'non');
        window.location.assign(window.location.pathname + '?' + params.toString() + window.location.hash);
        return '';
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        atlas: Object.assign({}, (window.dash_clientside || {}).atlas, {
            writeAddress: writeAddress,
            navigate: navigate,
            profileOfRow: profileOfRow,
            switchMode: switchMode
        })
    });
})();
