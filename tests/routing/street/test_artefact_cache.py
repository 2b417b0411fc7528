"""A cached artefact is keyed by its source and by the rules it was compiled with."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.street import network as network_module
from routing.street.network import cached_artefact_folder

SOURCE = "osm/issy_mairie_crossroads_2019.osm.gz"


def test_new_build_rules_compile_the_source_again(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = shared_data / SOURCE
    before = cached_artefact_folder(source, tmp_path)
    assert cached_artefact_folder(source, tmp_path) == before  # same file, same rules
    monkeypatch.setattr(
        network_module, "BUILD_RULES_VERSION", network_module.BUILD_RULES_VERSION + 1
    )
    after = cached_artefact_folder(source, tmp_path)
    assert after != before
    assert after.parent == before.parent == tmp_path
    assert after.name.startswith("issy_mairie_crossroads_2019-")
