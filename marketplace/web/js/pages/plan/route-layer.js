// The selected itinerary on the map: each leg in its mode's colour over a white casing (walks
// dashed), stations and stops at the legs' ends, a timetabled leg's intermediate stops, and
// the legend of what is drawn.
import { availabilityText } from '../../components/availability.js';
import { modeColour } from '../../components/mode-badge.js';
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { focusOn, L, legLayer, MODE_COLOURS, pointMarker } from '../../map.js';
import { placeName } from './itinerary-card.js';

/** A timetabled leg's intermediate stop: a small ring in the leg's colour, its name and time on hover or focus. */
function stopMarker(stop, colour) {
  const label = t('plan.stopAt', { name: stop.name, time: fmt.time(stop.time) });
  const icon = L.divIcon({
    className: 'transit-stop',
    html: `<span style="--mode-colour: ${colour}"></span>`,
    iconSize: [14, 14],
    iconAnchor: [7, 7],
  });
  const marker = L.marker([stop.lat, stop.lon], { icon, title: label, alt: label, keyboard: true, riseOnHover: true });
  marker.bindTooltip(label, { direction: 'top', offset: [0, -6] });
  marker.on('add', () => {
    const node = marker.getElement();
    if (node) {
      node.dataset.stopId = stop.stopId;
      node.setAttribute('aria-label', label);
    }
  });
  return marker;
}

/** The legend of the drawn itinerary: one line per mode in its colour, and the stop marks. */
function routeLegend(itinerary, stops) {
  const modes = [...new Set(itinerary.legs.map((leg) => leg.mode))];
  return [
    el('span', { class: 'legend-title' }, t('plan.legend')),
    ...modes.map((mode) => el('span', { class: 'legend-item' },
      el('span', { class: `legend-line${mode === 'WALK' ? ' dashed' : ''}`, style: `--mode-colour: ${modeColour(mode)}`, 'aria-hidden': 'true' }), ' ', t(`mode.${mode}`))),
    stops ? el('span', { class: 'legend-item' },
      el('span', { class: 'stop-dot', style: `--mode-colour: ${MODE_COLOURS[itinerary.legs.find((leg) => leg.transit?.intermediateStops?.length)?.mode] || MODE_COLOURS.TRANSIT}`, 'aria-hidden': 'true' }), ' ', t('plan.legendStop')) : null,
  ];
}

/**
 * The route drawn on `map`: `draw(itinerary)` replaces it, `clear()` removes it. The map
 * element's data-legs and data-stops say what is drawn (the browser tests read them).
 */
export function routeLayer(map, mapElement, legendElement) {
  const layer = L.featureGroup().addTo(map);

  function draw(itinerary) {
    layer.clearLayers();
    for (const leg of itinerary.legs) {
      const colour = modeColour(leg.mode);
      const walking = leg.mode === 'WALK';
      // A white casing under each leg keeps colours apart from the grey streets.
      legLayer(leg, { color: '#ffffff', weight: 9, opacity: 0.9 }).addTo(layer);
      legLayer(leg, { color: colour, weight: 5, opacity: 1, dashArray: walking ? '2 8' : null, lineCap: 'round' })
        .addTo(layer);
      for (const place of [leg.from, leg.to]) {
        if (place.stationId || place.stopId) {
          const extra = availabilityText(place);
          pointMarker([place.lat, place.lon], { colour, title: `${placeName(place)}${extra ? ` — ${extra}` : ''}` }).addTo(layer);
        }
      }
    }
    // The stops a timetabled leg passes: small markers in the leg's colour, named and timed.
    let stops = 0;
    for (const leg of itinerary.legs) {
      const colour = modeColour(leg.mode);
      for (const stop of leg.transit?.intermediateStops ?? []) {
        if (!Number.isFinite(stop.lat) || !Number.isFinite(stop.lon)) continue;
        stopMarker(stop, colour).addTo(layer);
        stops += 1;
      }
    }
    mapElement.dataset.legs = String(itinerary.legs.length);
    mapElement.dataset.stops = String(stops);
    // A legend without stop marks has no such item (replaceChildren would write "null").
    legendElement.replaceChildren(...routeLegend(itinerary, stops).filter(Boolean));
    legendElement.hidden = false;
    focusOn(map, layer.getBounds());
  }

  function clear() {
    layer.clearLayers();
    delete mapElement.dataset.stops;
    legendElement.hidden = true;
    legendElement.replaceChildren();
  }

  return { draw, clear };
}
