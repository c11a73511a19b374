"""security.errors on a bare Flask app: what a callback's exception becomes (400, 503, Dash's 204),
for sync and async views alike, and French answers for HTTP errors."""
from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask, abort
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from security import errors

DB_DOWN = sa_exc.OperationalError("SELECT 1", {}, Exception("could not connect to server"))


def _raise(error):
    def view():
        raise error
    return view


def _raise_async(error):
    async def view():
        raise error
    return view


@pytest.fixture
def server():
    app = Flask(__name__)
    app.register_error_handler(HTTPException, errors._http_error)
    app.register_error_handler(PreventUpdate, lambda _e: ("", 204))  # as Dash registers it
    return app


def _mount(server, view):
    server.add_url_rule("/_dash-update-component", "dispatch", errors.guard_callbacks(view), methods=["POST"])
    return server.test_client().post("/_dash-update-component", json={"output": "x.children"})


@pytest.mark.parametrize("make", [_raise, _raise_async], ids=["sync", "async"])
@pytest.mark.parametrize("error", [TypeError("x"), ValueError("x"), KeyError("x"), AttributeError("x"),
                                   IndexError("x"), OverflowError("x"), sa_exc.DataError("s", {}, Exception())],
                         ids=lambda e: type(e).__name__)
def test_an_exception_while_running_a_callback_is_a_french_400_logged_with_its_trace(server, make, error, caplog):
    resp = _mount(server, make(error))
    assert resp.status_code == 400 and resp.get_json() == {"erreur": "Requête invalide."}
    assert "Traceback" not in resp.get_data(as_text=True)
    record = next(r for r in caplog.records if r.name == "atlas.errors")
    assert "x.children" in record.getMessage() and record.exc_info is not None


@pytest.mark.parametrize("make", [_raise, _raise_async], ids=["sync", "async"])
def test_an_unreachable_database_is_a_french_503(server, make):
    resp = _mount(server, make(DB_DOWN))
    assert resp.status_code == 503
    assert resp.get_json() == {"erreur": "Base de données injoignable, nouvel essai dans quelques secondes."}
    assert "could not connect" not in resp.get_data(as_text=True)


def test_a_database_error_wrapped_by_another_is_still_a_503():
    try:
        try:
            raise DB_DOWN
        except sa_exc.OperationalError as inner:
            raise RuntimeError("while reading the view") from inner
    except RuntimeError as outer:
        assert errors.database_unavailable(outer)
    assert not errors.database_unavailable(ValueError("x"))
    assert errors.database_unavailable(sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"))


@pytest.mark.parametrize("make", [_raise, _raise_async], ids=["sync", "async"])
def test_prevent_update_and_http_errors_pass_through(server, make):
    assert _mount(server, make(PreventUpdate())).status_code == 204


def test_an_abort_inside_a_callback_keeps_its_status(server):
    def view():
        abort(403)
    resp = _mount(server, view)
    assert resp.status_code == 403 and resp.get_json()["erreur"].startswith("Accès refusé")


def test_a_genuine_answer_is_returned_as_is(server):
    resp = _mount(server, lambda: {"response": {"x": {"children": "ok"}}})
    assert resp.status_code == 200 and resp.get_json() == {"response": {"x": {"children": "ok"}}}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 414, 415, 429, 431, 500, 501, 503, 418])
def test_every_http_error_is_french_as_a_page_and_as_json(server, status):
    server.add_url_rule("/page", "page", lambda: abort(status))
    server.add_url_rule("/export/x.csv", "export", lambda: abort(status))
    page = server.test_client().get("/page")
    data = server.test_client().get("/export/x.csv")
    assert page.status_code == data.status_code == status
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text and "<title>" in text and "Retour à l'accueil" in text
    title, sentence = errors.message_for(status)
    assert title in text and data.get_json()["erreur"] in (sentence, errors.JSON_MESSAGES.get(status))
    english = ("Not Found", "Bad Request", "Forbidden", "Unauthorized", "I'm a teapot", "Internal Server Error")
    assert not any(word in text or word in data.get_json()["erreur"] for word in english)


def test_a_routing_redirect_is_not_turned_into_an_error(server):
    server.add_url_rule("/dossier/", "folder", lambda: "ok")
    resp = server.test_client().get("/dossier")
    assert resp.status_code == 308 and resp.headers["Location"].endswith("/dossier/")
