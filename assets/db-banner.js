// A callback, the layout or an export answering 503 (database unreachable, pool saturated): show the
// French message the server sent as a banner above the page, probe /health every few seconds, and
// reload the view once it answers (a view's state is in its address, so nothing is lost).
(function () {
    "use strict";
    var fetchOriginal = window.fetch;
    if (!fetchOriginal) {
        return;
    }
    var FALLBACK = "Base de données injoignable, nouvel essai dans quelques secondes";
    var PROBE_MS = 5000;
    var probing = null;

    function probe() {
        fetchOriginal.call(window, "/health", {cache: "no-store"}).then(function (response) {
            if (response.ok) {
                window.clearInterval(probing);
                probing = null;
                window.location.reload();
            }
        }, function () {});
    }

    function showBanner(message) {
        var banner = document.getElementById("atlas-db-banner");
        if (!banner) {
            banner = document.createElement("div");
            banner.id = "atlas-db-banner";
            banner.className = "db-banner";
            banner.setAttribute("role", "alert");
            document.body.insertBefore(banner, document.body.firstChild);
        }
        banner.textContent = message || FALLBACK;
        banner.hidden = false;
        if (probing === null) {
            probing = window.setInterval(probe, PROBE_MS);
        }
    }

    window.fetch = function () {
        return fetchOriginal.apply(this, arguments).then(function (response) {
            if (response.status === 503) {
                response.clone().json().then(function (body) {
                    showBanner(body && body.erreur);
                }, function () {
                    showBanner(FALLBACK);
                });
            }
            return response;
        });
    };
}());
