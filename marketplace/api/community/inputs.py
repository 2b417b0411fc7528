"""Community inputs: suggestions (new, changed, filtered) and city challenges."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from marketplace.api.catalogue.inputs import BBoxInput
from marketplace.api.catalogue.types import ServiceKind
from marketplace.api.community.types import SuggestionStatus

__all__ = ["ChallengeInput", "SuggestionFilterInput", "SuggestionInput", "SuggestionUpdateInput"]


@strawberry.input(description="A new suggestion. Texts are stored exactly as written.")
class SuggestionInput:
    title: str = strawberry.field(description="1 to 150 characters.")
    text: str = strawberry.field(description="1 to 5000 characters.")
    location: JSON | None = strawberry.field(
        default=None, description="GeoJSON Point, Polygon or MultiPolygon near Issy."
    )
    kinds: list[ServiceKind] = strawberry.field(default_factory=list)
    service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The service it improves, if any."
    )


@strawberry.input(description="Changes to your suggestion; omitted fields stay.")
class SuggestionUpdateInput:
    title: str | None = None
    text: str | None = None
    location: JSON | None = None
    kinds: list[ServiceKind] | None = None


@strawberry.input(description="A city challenge.")
class ChallengeInput:
    title: str
    text: str
    area: JSON = strawberry.field(description="GeoJSON Polygon or MultiPolygon near Issy.")
    deadline: datetime = strawberry.field(description="With a timezone; in the future.")


@strawberry.input(description="Which suggestions to list; every given criterion must hold.")
class SuggestionFilterInput:
    status: list[SuggestionStatus] | None = None
    service_id: strawberry.ID | None = None
    kinds: list[ServiceKind] | None = strawberry.field(
        default=None, description="Suggestions concerning at least one of these kinds."
    )
    bbox: BBoxInput | None = strawberry.field(
        default=None,
        description="Suggestions located in the box (a point inside, or an area overlapping "
        "it); those without a location are left out.",
    )
