// Atlas GDR: keeps ?presentation=oui (and ?anonyme=oui) in the address while the session is in
// presentation mode, whatever a page writes there, so a copied link opens in the same mode.
(function () {
    function mode() {
        var app = document.querySelector('.app[data-presentation]');
        return app ? {presentation: app.dataset.presentation, anonyme: app.dataset.anonyme} : null;
    }
    function keep(url) {
        var m = mode();
        if (url == null || !m || m.presentation !== 'oui') { return url; }
        var target = new URL(url, window.location.href);
        if (target.origin !== window.location.origin) { return url; }
        target.searchParams.set('presentation', 'oui');
        target.searchParams.set('anonyme', m.anonyme === 'oui' ? 'oui' : 'non');
        return target.pathname + target.search + target.hash;
    }
    ['pushState', 'replaceState'].forEach(function (name) {
        var original = window.history[name];
        window.history[name] = function (state, title, url) {
            return original.call(this, state, title, keep(url));
        };
    });
})();
