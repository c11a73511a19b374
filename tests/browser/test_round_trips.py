"""One user action, one request: in a real Chromium, a control change on /ssr, /msap and /caqes and
a drill-down click on the /ssr map or in the table beside it each send exactly one request to
/_dash-update-component (the page's one callback answers every part the view needs)."""
import re

from tests.browser.conftest import click_on_map, wait_graph

DASH_POST = "/_dash-update-component"
BORDEAUX = (-0.58, 44.84)  # in Nouvelle-Aquitaine (75), then in Gironde (33)


class DashPosts:
    """Counts the page's requests to /_dash-update-component."""

    def __init__(self, page):
        self.page = page
        self.sent: list[str] = []
        page.on("request", lambda req: self.sent.append(req.post_data or "") if DASH_POST in req.url else None)

    def during(self, action, settle, selector: str) -> list[str]:
        """The bodies sent from `action()` until `settle()` holds, Dash is idle and the graph at
        `selector` is drawn (and a moment more, for a request that would follow the answer)."""
        start = len(self.sent)
        action()
        settle()
        wait_graph(self.page, selector)
        self.page.wait_for_timeout(700)
        self.page.watch.wait_dash_idle()
        return self.sent[start:]


def choose(page, group_id: str, option: str) -> None:
    page.locator(f"#{group_id} label", has_text=re.compile(f"^{re.escape(option)}$")).click()


def opened(page, path: str, selector: str) -> DashPosts:
    posts = DashPosts(page)
    page.goto(path)
    wait_graph(page, selector)
    page.wait_for_timeout(500)
    page.watch.wait_dash_idle()
    return posts


def test_ssr_a_control_and_drill_down_clicks_send_one_request_each(page):
    map_ = "#ssr-map .js-plotly-plot"
    posts = opened(page, "/ssr", map_)
    sent = posts.during(lambda: choose(page, "ssr-age", "< 60 ans"),
                        lambda: page.wait_for_url(re.compile(r"age=%3C60")), map_)
    assert len(sent) == 1, sent
    sent = posts.during(lambda: choose(page, "ssr-niveau", "Départements"),
                        lambda: page.wait_for_url(re.compile(r"niveau=dep")), map_)
    assert len(sent) == 1, sent
    sent = posts.during(lambda: choose(page, "ssr-niveau", "Régions"),
                        lambda: page.wait_for_url(re.compile(r"niveau=reg")), map_)
    assert len(sent) == 1, sent
    # the map: France → Nouvelle-Aquitaine (its geometry drawn), then → Gironde (its establishments)
    sent = posts.during(lambda: click_on_map(page, map_, *BORDEAUX),
                        lambda: page.wait_for_url(re.compile(r"focus=75")), map_)
    assert len(sent) == 1, sent
    sent = posts.during(lambda: click_on_map(page, map_, *BORDEAUX),
                        lambda: page.wait_for_url(re.compile(r"focus=33")), map_)
    assert len(sent) == 1, sent
    page.wait_for_selector("#ssr-establishments-block:not([hidden])")
    # a breadcrumb step back to France (its départements), then a row of the table beside the map
    sent = posts.during(lambda: page.locator("#ssr-breadcrumb button", has_text="France").click(),
                        lambda: page.wait_for_url(re.compile(r"^(?!.*focus=)")), map_)
    assert len(sent) == 1, sent
    row = page.locator("#ssr-table .ag-center-cols-container .ag-row").first
    code = row.get_attribute("row-id")
    sent = posts.during(lambda: row.locator(".ag-cell").first.click(),
                        lambda: page.wait_for_url(re.compile(f"focus={code}")), map_)
    assert len(sent) == 1, sent
    assert page.watch.console == []


def test_msap_a_control_change_sends_one_request(page):
    map_ = "#msap-map .js-plotly-plot"
    posts = opened(page, "/msap", map_)
    sent = posts.during(lambda: choose(page, "msap-methode", "Funnel plot"),
                        lambda: page.wait_for_url(re.compile(r"methode=funnel")), map_)
    assert len(sent) == 1, sent
    sent = posts.during(lambda: (page.fill("#msap-volume-min", "40"), page.press("#msap-volume-min", "Enter")),
                        lambda: page.wait_for_url(re.compile(r"volume_min=40")), map_)
    assert len(sent) == 1, sent
    assert page.watch.console == []


def test_caqes_a_control_change_sends_one_request(page):
    map_ = "#caqes-map .js-plotly-plot"
    posts = opened(page, "/caqes", map_)
    sent = posts.during(lambda: choose(page, "caqes-volet", "Organisation des soins"),
                        lambda: page.wait_for_url(re.compile(r"volet=organisation")), map_)
    assert len(sent) == 1, sent
    assert page.watch.console == []


def test_opening_a_profile_or_another_page_sends_one_request(page):
    """A navigation is the router's one request: the page it draws carries the whole profile (its
    blocks, funnel and follow-up section) and the header's data version."""
    page.goto("/etablissements")
    page.wait_for_selector("#etabs-grid .ag-row", timeout=30_000)
    page.watch.wait_dash_idle()
    posts = DashPosts(page)
    finess = page.locator("#etabs-grid .ag-row").first.get_attribute("row-id")
    page.locator(f"#etabs-grid .ag-row[row-id='{finess}'] .ag-cell[col-id='commune']").click()
    page.wait_for_url(re.compile(rf"/etablissement/{finess}"))
    page.wait_for_selector("#etab-top #etab-points-section", timeout=30_000)
    page.wait_for_timeout(700)
    page.watch.wait_dash_idle()
    assert len(posts.sent) == 1 and "_pages_content" in posts.sent[0], posts.sent
    assert re.search(r"Données v\d+", page.inner_text("#shell-data-version"))
    # another page from the navigation bar: one request too, the header's version drawn again
    start = len(posts.sent)
    page.locator(".nav a", has_text="Suivi CAQES").click()
    wait_graph(page, "#caqes-map .js-plotly-plot")
    page.wait_for_timeout(700)
    page.watch.wait_dash_idle()
    assert len(posts.sent) - start == 1, posts.sent[start:]
    assert page.locator("#_pages_content #shell-page-data-version").count() == 1  # the version came with it
    assert re.search(r"Données v\d+", page.inner_text("#shell-data-version"))
    assert page.watch.console == []
