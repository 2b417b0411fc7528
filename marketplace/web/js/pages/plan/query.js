// The `plan` GraphQL query and its variables from the form's state.

export const PLAN_QUERY = `query Plan($origin: PlanLocationInput!, $destination: PlanLocationInput!,
    $dateTime: PlanDateTimeInput, $modes: PlanModesInput, $preferences: PlanPreferencesInput) {
  plan(origin: $origin, destination: $destination, dateTime: $dateTime, modes: $modes,
       preferences: $preferences, numItineraries: 5) {
    searchDateTime
    warnings { code description }
    routingErrors { code description inputField mode }
    edges { node {
      start end durationS distanceM walkDistanceM transfers priceMinor currency co2Grams unpricedLegs
      legs {
        mode start end durationS distanceM priceMinor currency co2Grams geojson polyline
        from { lat lon name stationId stopId vehiclesAvailable docksAvailable isRealtime reportedAt }
        to { lat lon name stationId stopId vehiclesAvailable docksAvailable isRealtime reportedAt }
        service { id name kind }
        steps { instruction streetName distanceM durationS turn lat lon }
        transit { routeName headsign realtime departureDelayS intermediateStops { stopId name lat lon time }
                  alerts { id headerText descriptionText url } }
      }
    } }
  }
}`;

function locationInput(place) {
  // Coordinates always go with the station id's label; the server takes one of the two.
  if (place.stationId) return { stationId: place.stationId, label: place.label };
  return { coordinate: { latitude: place.lat, longitude: place.lon }, label: place.label };
}

export function variables(state) {
  const vars = {
    origin: locationInput(state.origin),
    destination: locationInput(state.destination),
    modes: { direct: state.direct, services: state.services },
    preferences: { optimize: state.optimize, wheelchair: state.wheelchair },
  };
  if (state.when !== 'now' && state.at) {
    const iso = new Date(state.at).toISOString();
    vars.dateTime = state.when === 'arrive' ? { latestArrival: iso } : { earliestDeparture: iso };
  }
  const numeric = { maxWalk: 'maxWalkDistanceM', walkSpeed: 'walkSpeedKmh', bikeSpeed: 'bikeSpeedKmh', minRating: 'minServiceRating' };
  for (const [name, key] of Object.entries(numeric)) {
    if (state[name] !== '' && Number.isFinite(Number(state[name]))) vars.preferences[key] = Number(state[name]);
  }
  return vars;
}
