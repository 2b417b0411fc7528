"""The web client as files: served by the app, no CDN, every text in both languages.

No browser here: these run in every test run, quickly.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from marketplace.api.schema import SCHEMA_FILE
from marketplace.app import WEB_DIR, create_app
from marketplace.db import Database
from marketplace.settings import Settings

JS_FILES = sorted((WEB_DIR / "js").rglob("*.js"))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('static') / 'db.sqlite3'}"
    Database(url).migrate()
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param("/", "text/html", id="index"),
        pytest.param("/js/main.js", "javascript", id="module"),
        pytest.param("/css/app.css", "text/css", id="css"),
        pytest.param("/vendor/leaflet/leaflet-src.esm.js", "javascript", id="leaflet"),
        pytest.param("/vendor/leaflet/leaflet.css", "text/css", id="leaflet-css"),
        pytest.param("/vendor/geoman/leaflet-geoman.js", "javascript", id="geoman"),
        pytest.param("/vendor/geoman/leaflet-geoman.css", "text/css", id="geoman-css"),
        pytest.param("/graphiql.html", "text/html", id="graphiql"),
        pytest.param("/vendor/graphiql/graphiql.min.js", "javascript", id="graphiql-js"),
        pytest.param("/vendor/graphiql/graphiql.min.css", "text/css", id="graphiql-css"),
        pytest.param("/vendor/react/umd/react.production.min.js", "javascript", id="react"),
        pytest.param(
            "/vendor/react-dom/umd/react-dom.production.min.js", "javascript", id="react-dom"
        ),
    ],
)
def test_the_app_serves_the_client(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]


def test_the_client_does_not_shadow_the_api(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/no-such-file.js").status_code == 404


def test_nothing_is_loaded_from_another_host() -> None:
    sources = [
        WEB_DIR / "index.html",
        WEB_DIR / "graphiql.html",
        *sorted((WEB_DIR / "css").glob("*.css")),
        *JS_FILES,
    ]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        imports = re.findall(
            r"""^import\b[^;]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]""",
            text,
            re.M,
        )
        imports = [static or dynamic for static, dynamic in imports]
        assert all(spec.startswith(("./", "../", "/")) for spec in imports), (source, imports)
        # Links to attributions are fine; loading a script, style or image from elsewhere is not.
        assert not re.search(r"""src=["']https?://|<link[^>]+href=["']https?://""", text), source
        assert "@import url(http" not in text, source


def _dictionary_texts() -> dict[str, str]:
    """Each language's dictionary bodies (``js/i18n/<lang>.js`` and ``<lang>-<part>.js``),
    one ``key: text`` a line."""
    texts: dict[str, str] = {}
    for language in ("fr", "en"):
        folder = WEB_DIR / "js" / "i18n"
        sources = [folder / f"{language}.js", *sorted(folder.glob(f"{language}-*.js"))]
        bodies = []
        for path in sources:
            source = path.read_text(encoding="utf-8")
            body = re.search(r"^export const \w+ = \{\n(.*?)^\};", source, re.S | re.M)
            assert body is not None, path
            bodies.append(body.group(1))
        texts[language] = "".join(bodies)
    return texts


def _dictionaries() -> dict[str, set[str]]:
    return {
        language: set(re.findall(r"^\s+'?([\w.]+)'?:", body, re.M))
        for language, body in _dictionary_texts().items()
    }


def test_both_languages_have_the_same_texts() -> None:
    keys = _dictionaries()
    assert keys["fr"] - keys["en"] == set(), "missing in English"
    assert keys["en"] - keys["fr"] == set(), "missing in French"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_counts_are_real_plurals(language: str) -> None:
    body = _dictionary_texts()[language]
    # "itinéraire(s)" reads badly: a count's message has plural forms, chosen by Intl.PluralRules.
    assert not re.findall(r".*\w\((?:s|es|ies)\).*", body)
    for forms in re.findall(r"\{ (?:zero|one|two|few|many|other): .*\},$", body, re.M):
        assert "other: " in forms and "{n}" in forms, forms


@pytest.mark.parametrize(
    "source", [pytest.param(p, id=str(p.relative_to(WEB_DIR))) for p in JS_FILES]
)
def test_every_literal_text_key_is_translated(source: Path) -> None:
    known = _dictionaries()["fr"]
    text = source.read_text(encoding="utf-8")
    # Literal keys only (t('plan.title')); templated ones (t(`mode.${m}`)) are not checked here.
    used = set(re.findall(r"\bt\('([\w.]+)'", text))
    assert used - known == set()


@pytest.mark.parametrize(
    ("enum", "prefix"),
    [
        pytest.param("RoutingErrorCode", "routingError.", id="routing-errors"),
        pytest.param("PlanWarningCode", "planWarning.", id="plan-warnings"),
        pytest.param("StepManeuver", "step.", id="step-maneuvers"),
    ],
)
def test_every_plan_code_is_translated(enum: str, prefix: str) -> None:
    # The plan answers codes, not sentences: the client words each one in both languages.
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    body = re.search(rf"^enum {enum} \{{\n(.*?)^\}}", schema, re.S | re.M)
    assert body is not None, enum
    values = set(re.findall(r"^\s+([A-Z_]+)$", body.group(1), re.M))
    assert values
    for language, keys in _dictionaries().items():
        assert {f"{prefix}{v}" for v in values} - keys == set(), language
