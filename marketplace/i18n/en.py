"""English texts of the message catalogue (ids shared with :mod:`marketplace.i18n.fr`)."""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, str] = {
    # Turn-by-turn steps: {street} is a name or step.unnamed_street, {heading} a compass.*.
    "step.depart": "Head {heading} on {street}",
    "step.straight": "Continue straight onto {street}",
    "step.slight left": "Turn slightly left onto {street}",
    "step.left": "Turn left onto {street}",
    "step.sharp left": "Turn sharp left onto {street}",
    "step.slight right": "Turn slightly right onto {street}",
    "step.right": "Turn right onto {street}",
    "step.sharp right": "Turn sharp right onto {street}",
    "step.u-turn": "Make a U-turn onto {street}",
    "step.arrive": "Arrive at your destination",
    "step.then_continue": "{instruction}, then continue for {distance}",
    "step.unnamed_street": "an unnamed street",
    "compass.north": "north",
    "compass.north-east": "north-east",
    "compass.east": "east",
    "compass.south-east": "south-east",
    "compass.south": "south",
    "compass.south-west": "south-west",
    "compass.west": "west",
    "compass.north-west": "north-west",
    # Routing errors of a plan, by code.
    "routing.NO_ROUTE": "No route joins these places this way.",
    "routing.NO_ROUTE.closed_street": (
        "No car route joins these places while this street is closed to cars: {streets}."
    ),
    "routing.NO_ROUTE.closed_streets": (
        "No car route joins these places while these streets are closed to cars: {streets}."
    ),
    "routing.NO_TRANSIT_CONNECTION": "No public transport connection at this time.",
    "routing.NO_SERVICE_AVAILABLE": "No vehicle or place of this service is available near by.",
    "routing.NO_SERVICE_PUBLISHED": "No service of this kind is published yet.",
    "routing.UNKNOWN_SERVICE": "A chosen service is not published (any more).",
    "routing.VIA_DIRECT_MODES_ONLY": (
        "Stops on the way are planned on foot, by bike or by car only."
    ),
    "routing.LOCATION_NOT_FOUND": "A place of the trip could not be found on the street map.",
    "routing.OUTSIDE_BOUNDS": "A place of the trip lies outside the streets of Issy.",
    "routing.OUTSIDE_BOUNDS.far": (
        "{place} lies {distance} from the nearest street of the map, outside the area covered."
    ),
    "place.origin": "The origin",
    "place.destination": "The destination",
    "routing.NO_STREET_NETWORK": "No street map is loaded on the server.",
    "routing.TIMETABLE_ERROR": "The timetables could not be read.",
    "routing.ROUTING_ERROR": "This way of travelling could not be planned.",
    # Warnings about the street data, by code.
    "warning.ONEWAY_UNKNOWN": "The street data does not say which streets are one-way.",
    "warning.STREET_NAMES_UNKNOWN": "The street data has no street names.",
    "warning.STREET_ACCESS_UNKNOWN": "The street data does not say who may use each street.",
    "warning.EDGES_DROPPED": "Some streets of the data were left out (unknown crossings).",
    "warning.NODE_IDS_NOT_OSM": "The street data does not carry OpenStreetMap ids.",
    "warning.OTHER": "The street data has a limit: {detail}",
    # Sign-in, sessions and keys.
    "auth.wrong_credentials": "email or password is wrong",
    "auth.sign_in_rate_limited": (
        "too many failed sign-ins for this email from your address: "
        "wait {minutes} minute(s) and try again"
    ),
    "auth.session_unknown": "this session is unknown or was signed out; sign in again",
    "auth.session_expired": "this session has expired; sign in again",
    "auth.account_disabled": "this account is disabled",
    "auth.sign_in_first": "sign in first: send 'Authorization: Bearer <session token>' from signIn",
    "auth.bearer_malformed": "Authorization must read 'Bearer <API key>'",
    "auth.api_key_malformed": "malformed API key; expected 'Authorization: Bearer issy_…'",
    "auth.api_key_unknown": "unknown API key",
    "auth.api_key_revoked": "API key {prefix} was revoked; create a new one",
    "auth.api_key_expired": "API key {prefix} expired at {at}",
    "auth.partner_key_needed": (
        "this operation needs a partner API key: send 'Authorization: Bearer issy_…'"
    ),
    "auth.partners_only": (
        "this operation is for partners: use a partner API key or a partner member's account"
    ),
    "auth.city_only": "only the city's partner accounts may do this",
    "auth.planners_sign_in": (
        "{what} are for the city's planners: sign in with a planner account or send the "
        "city's API key"
    ),
    "auth.planners_only": (
        "{what} are for the city's planners (planner and admin accounts, the city's API keys)"
    ),
    "auth.role_refused": "your role may not do this",
    "auth.people_only": "this operation is for people signed in, not for API keys",
    "auth.admins_only": "this operation is for the city's admins (moderators)",
    "what.traffic results": "traffic results",
    "what.traffic exports": "traffic exports",
    # Community rights: {doing} is one of the doing.* texts.
    "community.needs_account": (
        "{doing} needs an account; sign in first: send 'Authorization: Bearer <session "
        "token>' from signIn"
    ),
    "community.people_only": "{doing} is for people signed in, not for API keys",
    "community.residents_only": (
        "{doing} is for residents; partners and city staff answer officially instead"
    ),
    "community.admins_only": "{doing} is for the city's admins",
    "community.staff_only": "{doing} is for the city's admins and planners",
    "community.partner_key_needed": "{doing} needs a partner API key or a partner member's session",
    "community.partners_only": "{doing} is for partners",
    "doing.opening a city challenge": "opening a city challenge",
    "doing.proposing an answer to a challenge": "proposing an answer to a challenge",
    "doing.voting": "voting",
    "doing.reviewing a service": "reviewing a service",
    "doing.editing a review": "editing a review",
    "doing.replying to a review": "replying to a review",
    "doing.reporting content": "reporting content",
    "doing.making a suggestion": "making a suggestion",
    "doing.editing a suggestion": "editing a suggestion",
    "doing.withdrawing a vote": "withdrawing a vote",
    "doing.following a suggestion": "following a suggestion",
    "doing.commenting": "commenting",
    "community.posting_too_fast": (
        "you are posting too fast: at most {per_minute} posts a minute; wait a minute and try again"
    ),
    "community.posted_too_much": (
        "you have posted {per_hour} times this hour, the most allowed; try again later"
    ),
    "community.suggestion_not_found": "no suggestion with id {id}",
    "community.comment_not_found": "no comment with id {id}",
    "community.rating": "rating is {rating}; give 1 to 5 stars",
    "community.review_not_found": "no review with id {id}",
    "community.service_not_found": "no published service with id {id}",
    "community.reviewed_already": "you reviewed service {id} already; edit that review instead",
    "community.challenge_closed": (
        "challenge {id} closed on {deadline}; {doing} is no longer possible"
    ),
    "community.deadline_past": "deadline {deadline} is in the past",
    "community.challenge_not_found": "no challenge with id {id}",
    "community.own_service_not_found": "no service of yours with id {id}",
    "community.proposal_not_found": "no proposal with id {id}",
    "community.voted_proposal_already": (
        "you already voted for proposal {id}; withdraw your vote first to vote again"
    ),
    "community.voted_suggestion_already": (
        "you already voted for suggestion {id}; withdraw your vote first to vote again"
    ),
    "community.review_author_only": "only its author may edit a review",
    "community.reply_operator_only": (
        "only the partner running the service may reply to its reviews"
    ),
    "community.suggestion_author_only": "only its author may edit a suggestion",
    "community.own_idea": "you cannot vote for your own idea",
    "community.deciders_only": (
        "only the city's planners and admins, and partners for their own services, decide on "
        "suggestions"
    ),
    "community.official_only": "only partners' members and city staff answer officially",
    "community.proposal_services": "a proposal links at most 20 services",
    "community.deadline_timezone": "deadline needs a timezone, e.g. 2030-01-01T18:00:00+01:00",
    # Sign-up and credentials.
    "signup.accepted": (
        "If this email can be used for a new account, it now has a message with a link to "
        "confirm it within 24 hours. If you already have an account, sign in instead; the "
        "message says so too."
    ),
    "signup.invalid_link": (
        "this confirmation link is unknown, already used or expired; sign up again, or sign "
        "in if you already confirmed"
    ),
    "signup.rate_limited": "too many sign-ups {what}: wait {minutes} minute(s) and try again",
    "signup.for_this_email": "for this email",
    "signup.from_your_address": "from your network address",
    "credentials.bad_email": "email must look like name@example.org (at most 254 characters)",
    "credentials.password_short": (
        "password is {length} characters long; use at least {minimum} (a few unrelated words "
        "make a strong one)"
    ),
    "credentials.password_long": (
        "password is {length} characters long; at most {maximum} are accepted"
    ),
    "credentials.password_common": (
        "password is too easy to guess (a well-known or repetitive password); choose another"
    ),
    "credentials.password_is_email": "password must not be your email address",
    "credentials.display_name_length": "displayName must be 1 to 80 characters",
    "credentials.display_name_control": "displayName must not contain control characters",
    # Emails.
    "email.confirm.subject": "Issy Mobility: confirm your account",
    "email.confirm.body": (
        "Hello {name},\n\nTo create your Issy Mobility account, open this link within 24 "
        "hours:\n\n{link}\n\nIf you did not ask for an account, ignore this message: none is "
        "created without this link."
    ),
    "email.existing.subject": "Issy Mobility: you already have an account",
    "email.existing.body": (
        "Someone, probably you, asked to create an Issy Mobility account with this email "
        "address, which already has one. Nothing was changed.\n\nTo use your account, sign in "
        "at {link}\n\nIf it was not you, you can ignore this message."
    ),
    # Ids, paging and plans.
    "api.not_a_number_id": (
        "{raw} is no {what} id: give a number such as 42 or an id given by this API"
    ),
    "api.no_such_id": "no {what} with id {raw}",
    "api.not_an_api_id": (
        "{raw} is not an id given by this API (ids are opaque strings such as {example})"
    ),
    "api.wrong_id_type": "id {raw} is a {actual}, not a {expected}",
    "api.not_a_cursor": "after {raw} is not a cursor; pass pageInfo.endCursor of the previous page",
    "api.page_size": (
        "first={first} is out of range: ask for 1 to {maximum} items per page and follow "
        "pageInfo.endCursor for more"
    ),
    "plan.location_one_of": "{name}: give exactly one of coordinate and stationId",
    "plan.station_not_published": (
        "{name}: station {station} is not a station of a published service"
    ),
    "matrix.no_timezone": (
        "departAt {value} has no timezone; accepted: ISO 8601 with an offset, e.g. "
        "2026-11-30T08:30:00+01:00"
    ),
    "plan.no_timezone": (
        "dateTime {value} has no timezone; accepted: ISO 8601 with an offset, e.g. "
        "2026-11-30T08:30:00+01:00"
    ),
    "plan.time_range": "dateTime {value} is out of range; accepted: from {start} to {end}",
    "plan.num_itineraries": "numItineraries {value}; accepted: 1 to {maximum}",
    "plan.min_rating": "minServiceRating {value}; accepted: 1 to 5",
    "plan.first_negative": "first must be >= 0",
    "plan.locale": "locale {value!r} is not offered; accepted: fr, en",
    "plan_request.NO_TIMEZONE": (
        "time {time} has no timezone; accepted: an ISO 8601 time with an offset, e.g. "
        "2026-11-30T08:30:00+01:00"
    ),
    "plan_request.TOO_FAR_AHEAD": (
        "time {time} is more than {days} days from now; accepted: a time within 60 days of "
        "the present"
    ),
    "plan_request.WALK_SPEED": "walking speed {speed_kmh} km/h; accepted: 1 to 10",
    "plan_request.BIKE_SPEED": "cycling speed {speed_kmh} km/h; accepted: 5 to 40",
    "plan_request.MAX_WALK": "max walking distance {distance_m} m; accepted: 0 to 10000",
    "plan_request.SERVICES_CONFLICT": (
        "services {services} are both required and excluded; choose one"
    ),
    "plan_request.OPTIMIZE": "optimize {optimize!r}; accepted: time, price, co2",
    "plan_request.MAX_TRANSFERS": "maxTransfers {count}; accepted: 0 to 8",
    "plan_request.NUM_ITINERARIES": "numItineraries {count}; accepted: 1 to 20",
    "plan_request.TOO_MANY_VIA": "{count} via points; accepted: at most 5",
    "plan_request.NO_MODE": "no mode allowed; accepted: at least one mode or service kind",
    "plan_request.SAME_PLACE": (
        "origin and destination are the same place (less than 10 m apart); accepted: two "
        "distinct points"
    ),
    "plan.not_set_up": "trip planning is not set up on this server",
    "exports.header": "header {value!r} is not offered; accepted: labels, ids",
    "traffic.no_run": (
        "no successful traffic run of {period} yet; a planner calls runAssignment first"
    ),
    "traffic.no_od_matrix": "no OD matrix was imported yet; call importDemand first",
    "traffic.no_base_run": "no successful run of {period} yet; call runAssignment first",
    "traffic.other_network": (
        "run {run} of {period} was computed on another street network; call runAssignment "
        "again on the loaded one"
    ),
    "traffic.scenario_needs_edit": (
        "a scenario needs an edit: closeStreets, closeWays, removeLaneStreets or removeLaneWays"
    ),
    "traffic.no_network": "traffic assignment needs the street network; none is set up",
    # Catalogue validation: {field} is the API's field name.
    "weekday.MONDAY": "Monday",
    "weekday.TUESDAY": "Tuesday",
    "weekday.WEDNESDAY": "Wednesday",
    "weekday.THURSDAY": "Thursday",
    "weekday.FRIDAY": "Friday",
    "weekday.SATURDAY": "Saturday",
    "weekday.SUNDAY": "Sunday",
    "area.no_coordinates": "{field} has no coordinates",
    "area.no_rings": "{field} polygon {polygon} has no rings",
    "area.ring_too_short": (
        "{field} polygon {polygon} ring {ring} has fewer than 4 positions; a ring needs at "
        "least 4, the last repeating the first"
    ),
    "area.ring_open": (
        "{field} polygon {polygon} ring {ring} is not closed: it starts at {first} and ends "
        "at {last}; the last position must repeat the first"
    ),
    "area.not_json": "{field} is not JSON: {detail}",
    "area.type": "{field} is a GeoJSON {kind}; accepted: Polygon or MultiPolygon",
    "area.malformed": "{field} has malformed coordinates: {detail}",
    "area.empty": "{field} is not a valid polygon: it is empty",
    "area.invalid": "{field} is not a valid polygon: {detail}",
    "area.lon_lat": "{field} coordinates must be [longitude, latitude] in degrees",
    "area.far_from_issy": (
        "{field} reaches {distance_km} km from Issy {issy}; service areas must lie within "
        "{limit_km} km"
    ),
    "partner.name_length": "{field} must be 1 to {maximum} characters, got {value}",
    "partner.name_taken": "a partner named {name} exists already; partner names are unique",
    "partner.not_found": "no partner with id {id}",
    "api_key.expires_in_past": "expiresAt {value} is in the past",
    "api_key.not_found": "no API key with id {id} among yours",
    "service.bad_kind": "kind {value} is not a service kind",
    "service.retired": "service {id} is retired; retired services cannot change",
    "import.batch_size": "{field} has {size} rows; send between 1 and {maximum} per call",
    "traffic.run_period": "run {id} is of {run_period}, not {period}",
    "traffic.run_not_converged": "run {id} did not converge (gap {gap}); it has no results",
    "validation.limit": "limit {value}; accepted: 1 to {maximum}",
    "traffic.algorithm": "algorithm {value}; accepted: FW, CFW, BFW",
    "traffic.relative_gap": "relativeGap {value}; accepted: 0 < relativeGap < 1",
    "traffic.max_iterations": "maxIterations {value}; accepted: 1 to {maximum}",
    "traffic.min_volume_capacity": "minVolumeCapacity {value}; accepted: 0 to 100",
    "incident.no_timezone": "occurredAt needs a timezone, e.g. 2026-11-30T08:30:00+01:00",
    "incident.time_range": (
        "occurredAt {value} must lie within the last 30 days, not in the future"
    ),
    "service.not_owner": ("service {id} belongs to another partner; only its owner may change it"),
    "pricing.cap_below_unlock": (
        "dailyCapMinor {cap} is below unlockFeeMinor {unlock}; a cap must cover at least one unlock"
    ),
    "gtfs.missing_files": "GTFS feed lacks {files}; nothing was imported",
    "gtfs.missing_calendar": (
        "GTFS feed lacks calendar.txt or calendar_dates.txt; nothing was imported"
    ),
    "gtfs.missing_files_and_calendar": (
        "GTFS feed lacks {files}, calendar.txt or calendar_dates.txt; nothing was imported"
    ),
    "gtfs.missing_columns": "{file} lacks column(s) {columns}; nothing was imported",
    "live_feed.not_protobuf": (
        "the feed is not a GTFS-Realtime protobuf FeedMessage ({reason}); expected the "
        "binary protobuf a GTFS-Realtime producer serves"
    ),
    "live_feed.unknown_trip": (
        "trip {trip_id} is not in the service's timetable: its update is left out (import "
        "the GTFS feed whose trip_id the live feed uses)"
    ),
    "live_feed.unsupported_trip": (
        "trip {trip_id}: schedule_relationship {relationship} is not applied; accepted: "
        "SCHEDULED and CANCELED"
    ),
    "live_feed.bad_start_date": "trip {trip_id}: start_date {value} is not a date (YYYYMMDD)",
    "live_feed.unknown_stop": (
        "trip {trip_id}: stop {stop} is not a stop of that trip: its update is left out"
    ),
    "live_feed.unknown_alert_stop": "alert names stop {stop}, which the service does not have",
    "live_feed.unknown_alert_route": (
        "alert names route {route}, which the service's timetable does not have"
    ),
    "live_feed.fetch_failed": "could not read {url}: {reason}",
    "database.busy": (
        "the database is busy with another write (an import?) and this one waited {waited_s} s "
        "for it: retry in a few seconds; nothing was changed"
    ),
    "live_feed.bad_url": "url {url} is not accepted; expected an http:// or https:// address",
    "live_feed.bad_interval": (
        "intervalS {value} is not accepted; expected whole seconds from {low} to {high}"
    ),
    "gbfs.no_feed": "no GBFS feed found in {sources}",
    "traffic.way_not_id": "{field}: {value} is not an OSM way id",
    "traffic.way_not_positive": "{field}: {value} is not an OSM way id (ids are > 0)",
    "places.first": "first {value}; accepted: 1 to 50",
    "places.text_too_long": "text is longer than 200 characters",
    "validation.not_null": "{field} cannot be null",
    "validation.empty": "{field} must not be empty",
    "validation.too_long": "{field} is {length} characters long; at most {maximum} are accepted",
    "validation.negative": "{field} is {value}; it must be zero or more",
    "validation.far_from_issy": (
        "{field} {point} lies {distance_km} km from Issy {issy}; points must lie within "
        "{limit_km} km"
    ),
    "validation.currency": "{field} {value} is not an ISO 4217 currency code (e.g. EUR, GBP, CHF)",
    "validation.time_of_day": "{field} {value} is not a time HH:MM (00:00 to 24:00)",
    "validation.closes_before_opening": (
        "{field} opens at {opens} but closes at {closes}; closes must be later the same day "
        "(use 24:00, and the next day's 00:00, for nights)"
    ),
    "validation.hours_overlap": "{field} overlaps another period on {day}",
    "scenario.UNKNOWN_STREET": (
        "no street named {street!r} in the drive network; did you mean {close}?"
    ),
    "scenario.UNKNOWN_STREET_NO_HINT": "no street named {street!r} in the drive network",
    "scenario.ONE_LANE": ("{street} (edge {edge}) has one lane in its direction; close it instead"),
    # Column headings of the traffic CSV exports, by column id.
    "csv.edge": "Edge",
    "csv.osm_way_id": "OSM way id",
    "csv.street": "Street",
    "csv.highway": "Road class",
    "csv.lanes": "Lanes",
    "csv.length_m": "Length (m)",
    "csv.volume_veh_h": "Volume (veh/h)",
    "csv.capacity_veh_h": "Capacity (veh/h)",
    "csv.volume_capacity": "Volume / capacity",
    "csv.free_flow_time_s": "Free-flow time (s)",
    "csv.congested_time_s": "Congested time (s)",
    "csv.delay_veh_h": "Delay (veh·h)",
    "csv.segment_key": "Segment key",
    "csv.rank": "Rank",
    "csv.period": "Period",
    "csv.streets": "Streets",
    "csv.lat": "Latitude",
    "csv.lon": "Longitude",
    "csv.total_delay_veh_h": "Total delay (veh·h)",
    "csv.max_volume_capacity": "Highest volume / capacity",
    "csv.segments": "Segments",
}
