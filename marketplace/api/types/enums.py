"""The model enums, exposed to GraphQL under their own names (values are member names)."""

from __future__ import annotations

import strawberry

from marketplace.models import (
    FormFactor,
    PartnerKind,
    Propulsion,
    ServiceKind,
    ServiceStatus,
    StationKind,
)

__all__ = ["FormFactor", "PartnerKind", "Propulsion", "ServiceKind", "ServiceStatus", "StationKind"]

strawberry.enum(ServiceKind, description="What a service offers.")
strawberry.enum(ServiceStatus, description="DRAFT -> PUBLISHED -> SUSPENDED / RETIRED.")
strawberry.enum(PartnerKind, description="Kind of organisation; CITY partners oversee.")
strawberry.enum(StationKind, description="Docking station, stop, or parking site.")
strawberry.enum(FormFactor, description="GBFS 3.0 form_factor.")
strawberry.enum(Propulsion, description="GBFS 3.0 propulsion_type.")
