"""SQLModel tables, one module per aggregate; importing this package registers them all."""

from marketplace.models._columns import utcnow
from marketplace.models.catalogue_version import CatalogueVersion
from marketplace.models.challenge import Challenge, Proposal, ProposalService, ProposalVote
from marketplace.models.community import (
    Comment,
    Review,
    Suggestion,
    SuggestionFollow,
    SuggestionStatus,
    SuggestionStatusChange,
    SuggestionVote,
)
from marketplace.models.free_vehicle import FreeVehicle
from marketplace.models.job import Job, JobKind, JobPayload, JobStatus
from marketplace.models.live_feed import LiveFeed, LiveFeedKind
from marketplace.models.moderation import (
    ContentKind,
    ContentReport,
    ModerationAction,
    ModerationDecision,
)
from marketplace.models.partner import ApiKey, Partner, PartnerKind
from marketplace.models.people import (
    OutboxMessage,
    Person,
    PersonRole,
    PersonSession,
    SignInAttempt,
    SignUpAttempt,
    SignUpRequest,
)
from marketplace.models.place import Place, PlaceKind, Region
from marketplace.models.pricing import PricingPlan
from marketplace.models.service import MobilityService, ServiceKind, ServiceStatus
from marketplace.models.station import Station, StationAvailability, StationKind
from marketplace.models.street_closure import StreetClosure
from marketplace.models.timetable import (
    TransitCalendar,
    TransitCalendarDate,
    TransitRoute,
    TransitStopTime,
    TransitTrip,
)
from marketplace.models.timetable_revision import TimetableRevision
from marketplace.models.traffic import (
    DemandImport,
    DemandSource,
    IncidentCategory,
    IncidentReport,
    PlannedTripCount,
    RunStatus,
    TrafficHotspot,
    TrafficRun,
    TrafficSegment,
)
from marketplace.models.transit_rules import (
    TransitFare,
    TransitFareRule,
    TransitFaresV2,
    TransitStopZone,
    TransitTransfer,
)
from marketplace.models.vehicle import FormFactor, Propulsion, VehicleType

__all__ = [
    "ApiKey",
    "CatalogueVersion",
    "Challenge",
    "Comment",
    "ContentKind",
    "ContentReport",
    "DemandImport",
    "DemandSource",
    "FormFactor",
    "FreeVehicle",
    "IncidentCategory",
    "IncidentReport",
    "Job",
    "JobKind",
    "JobPayload",
    "JobStatus",
    "LiveFeed",
    "LiveFeedKind",
    "MobilityService",
    "ModerationAction",
    "ModerationDecision",
    "OutboxMessage",
    "Partner",
    "PartnerKind",
    "Person",
    "PersonRole",
    "PersonSession",
    "Place",
    "PlaceKind",
    "PlannedTripCount",
    "PricingPlan",
    "Proposal",
    "ProposalService",
    "ProposalVote",
    "Propulsion",
    "Region",
    "Review",
    "RunStatus",
    "ServiceKind",
    "ServiceStatus",
    "SignInAttempt",
    "SignUpAttempt",
    "SignUpRequest",
    "Station",
    "StationAvailability",
    "StationKind",
    "StreetClosure",
    "Suggestion",
    "SuggestionFollow",
    "SuggestionStatus",
    "SuggestionStatusChange",
    "SuggestionVote",
    "TimetableRevision",
    "TrafficHotspot",
    "TrafficRun",
    "TrafficSegment",
    "TransitCalendar",
    "TransitCalendarDate",
    "TransitFare",
    "TransitFareRule",
    "TransitFaresV2",
    "TransitRoute",
    "TransitStopTime",
    "TransitStopZone",
    "TransitTransfer",
    "TransitTrip",
    "VehicleType",
    "utcnow",
]
