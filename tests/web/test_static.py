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

from marketplace.app import WEB_DIR, create_app
from marketplace.settings import Settings

JS_FILES = sorted((WEB_DIR / "js").rglob("*.js"))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('static') / 'db.sqlite3'}"
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
    sources = [WEB_DIR / "index.html", WEB_DIR / "css" / "app.css", *JS_FILES]
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


def _dictionaries() -> dict[str, set[str]]:
    text = (WEB_DIR / "js" / "i18n.js").read_text(encoding="utf-8")
    keys: dict[str, set[str]] = {}
    for language in ("fr", "en"):
        body = re.search(rf"^const {language} = \{{\n(.*?)^\}};", text, re.S | re.M)
        assert body is not None, language
        keys[language] = set(re.findall(r"^\s+'?([\w.]+)'?:", body.group(1), re.M))
        # Kinds, modes and days are merged from their own tables.
        for table, prefix in (("KINDS", "kind"), ("MODES", "mode"), ("DAYS", "day")):
            row = re.search(rf"const {table} = \{{.*?{language}: \{{(.*?)\}}", text, re.S)
            assert row is not None, table
            keys[language] |= {f"{prefix}.{k}" for k in re.findall(r"(\w+):", row.group(1))}
    return keys


def test_both_languages_have_the_same_texts() -> None:
    keys = _dictionaries()
    assert keys["fr"] - keys["en"] == set(), "missing in English"
    assert keys["en"] - keys["fr"] == set(), "missing in French"


@pytest.mark.parametrize("source", [pytest.param(p, id=p.name) for p in JS_FILES])
def test_every_literal_text_key_is_translated(source: Path) -> None:
    known = _dictionaries()["fr"]
    text = source.read_text(encoding="utf-8")
    # Literal keys only (t('plan.title')); templated ones (t(`mode.${m}`)) come from tables.
    used = set(re.findall(r"\bt\('([\w.]+)'", text))
    assert used - known == set()
