"""The API explorer works offline: GraphiQL and React come from the app, never a CDN."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.browser import ARTIFACTS, Tab, WebServer

pytestmark = pytest.mark.browser


def test_graphiql_runs_a_query_with_only_the_app_reachable(tab: Tab, web_server: WebServer) -> None:
    page = tab.page
    app_host = urlsplit(tab.base_url).netloc
    refused: list[str] = []

    def only_the_app(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == app_host or url.startswith("data:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.context.route("**/*", only_the_app)
    tab.goto("#/partner")
    page.get_by_label("Clé d'API").fill(web_server.partner_key("Explorateurs d'API"))
    page.get_by_role("button", name="Se connecter").click()
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Explorer l’API (GraphiQL)").click()
    explorer = opened.value
    explorer.locator(".graphiql-query-editor .CodeMirror").wait_for()
    explorer.evaluate(
        """() => document.querySelector('.graphiql-query-editor .CodeMirror')
            .CodeMirror.setValue('{ __typename services(first: 1) { totalCount } }')"""
    )
    explorer.locator("button.graphiql-execute-button").click()
    result = explorer.locator(".graphiql-response")
    result.get_by_text('"__typename": "Query"').wait_for()
    assert '"totalCount"' in result.inner_text()
    explorer.screenshot(path=str(ARTIFACTS / "graphiql-offline.png"))
    assert refused == []
    assert tab.errors == []


def test_opening_the_graphql_address_in_a_browser_lands_on_the_offline_explorer(
    tab: Tab,
) -> None:
    page = tab.page
    app_host = urlsplit(tab.base_url).netloc
    refused: list[str] = []

    def only_the_app(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == app_host or url.startswith("data:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.context.route("**/*", only_the_app)
    page.goto(f"{tab.base_url}/graphql")
    assert urlsplit(page.url).path == "/graphiql.html"
    page.locator(".graphiql-query-editor .CodeMirror").wait_for()
    page.evaluate(
        """() => document.querySelector('.graphiql-query-editor .CodeMirror')
            .CodeMirror.setValue('{ __typename }')"""
    )
    page.locator("button.graphiql-execute-button").click()
    page.locator(".graphiql-response").get_by_text('"__typename": "Query"').wait_for()
    assert refused == []
    assert tab.errors == []
