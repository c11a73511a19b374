/* Scroll to the address's #fragment once Dash has rendered its target (e.g. a row of /caqes opens
   /etablissement/<finess>#etab-caqes-section, whose section appears only after the callbacks ran).
   Once per address; a user scrolling meanwhile is not fought: we give up after 10 s. */
(function () {
  var done = '';
  var started = 0;
  function tryScroll() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) { return; }
    var key = window.location.pathname + window.location.search + hash;
    if (key === done) { return; }
    if (!started) { started = Date.now(); }
    if (Date.now() - started > 10000) { done = key; started = 0; return; }
    var el = document.getElementById(decodeURIComponent(hash.slice(1)));
    // wait until the section has content (its callbacks have answered)
    if (!el || el.hidden || el.offsetHeight < 80 || document.querySelector('[data-dash-is-loading="true"]')) { return; }
    done = key;
    started = 0;
    el.scrollIntoView({block: 'start'});
  }
  var observer = new MutationObserver(function () { window.requestAnimationFrame(tryScroll); });
  function start() { observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                                      attributeFilter: ['hidden', 'data-dash-is-loading']}); }
  if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
  window.addEventListener('_dashprivate_pushstate', function () { done = ''; started = 0; });
  window.addEventListener('popstate', function () { done = ''; started = 0; });
})();
