// A free-floating service's vehicles on the editor's map: "Placer un véhicule" then a click
// on the map fills the position, the partner names it (and its battery) and saves; a vehicle
// is moved by dragging its marker and taken off by its row's button. Every save goes through
// the public API (placeVehicles / removeVehicles), which checks the zone and the no-parking
// areas, and confirms or explains.
import { gql } from '../../api.js';
import { announce, el, errorBox, field, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { L } from '../../map.js';
import { confirmSaved } from './service-update.js';

const PLACE = `mutation Place($id: ID!, $vehicles: [FreeVehicleInput!]!) {
  placeVehicles(serviceId: $id, vehicles: $vehicles) { created updated } }`;
const REMOVE = `mutation Remove($id: ID!, $ids: [String!]!) {
  removeVehicles(serviceId: $id, externalIds: $ids) { removed } }`;

function vehicleIcon(vehicle) {
  const low = vehicle.batteryPct !== null && vehicle.batteryPct < 20;
  return L.divIcon({
    className: `vehicle-pin${low ? ' low' : ''}${vehicle.isReserved || vehicle.isDisabled ? ' off' : ''}`,
    html: '<span aria-hidden="true"></span>',
    iconSize: [18, 18],
    iconAnchor: [9, 9],
  });
}

function batteryText(vehicle) {
  return vehicle.batteryPct === null ? t('partner.vehicles.batteryUnknown') : `${vehicle.batteryPct} %`;
}

/**
 * The vehicles of `editor` ({id, service, reload}) on `map`; `drawing()` tells whether the
 * zone tools hold the map's clicks. Returns {section, show()} (show() after each reload).
 */
export function vehicleForm(editor, map, { drawing }) {
  const layer = L.layerGroup().addTo(map);
  const id = el('input', { type: 'text', name: 'vehicleId', required: true, maxlength: 100, autocomplete: 'off' });
  const battery = el('input', { type: 'number', name: 'vehicleBattery', min: 0, max: 100, step: 1, inputmode: 'numeric' });
  const lat = el('input', { type: 'number', name: 'vehicleLat', step: 'any', required: true });
  const lon = el('input', { type: 'number', name: 'vehicleLon', step: 'any', required: true });
  const message = el('div', { role: 'status' });
  const list = el('div', { class: 'vehicle-list' });
  let placing = false;
  let pending = null;
  const placeButton = el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', onclick: () => setPlacing(!placing) },
    t('partner.vehicles.place'));

  function setPlacing(on) {
    placing = on;
    placeButton.setAttribute('aria-pressed', String(on));
    map.getContainer().classList.toggle('placing', on);
    if (on) {
      map.issyFocus = null;
      message.replaceChildren(el('p', { class: 'hint' }, t('partner.vehicles.clickHint')));
      announce(t('partner.vehicles.clickHint'));
    }
  }

  map.on('click', (event) => {
    if (!placing || drawing()) return;
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    pending?.remove();
    pending = L.marker(event.latlng, { icon: vehicleIcon({ batteryPct: null }), keyboard: false, interactive: false }).addTo(map);
    setPlacing(false);
    message.replaceChildren(el('p', { class: 'hint' }, t('partner.vehicles.positionSet')));
    announce(t('partner.vehicles.positionSet'));
    id.focus();
  });

  async function send(vehicles, success) {
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await gql(PLACE, { id: editor.id, vehicles }, { auth: true });
      await editor.reload();
      confirmSaved(message, success);
      return true;
    } catch (error) {
      message.replaceChildren(errorBox(error));
      show(); // a refused move puts the marker back where the server has it
      return false;
    }
  }

  const form = el('form', { class: 'vehicle-form', 'aria-labelledby': 'vehicle-add-title' },
    el('h3', { id: 'vehicle-add-title' }, t('partner.vehicles.add')),
    el('div', { class: 'row' }, field(t('partner.vehicles.id'), id), field(t('partner.vehicles.battery'), battery)),
    el('div', { class: 'row' }, field(t('partner.lat'), lat), field(t('partner.lon'), lon)),
    el('div', { class: 'row' }, placeButton, el('button', { type: 'submit', class: 'primary' }, t('partner.vehicles.save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const vehicle = { externalId: id.value.trim(), lat: Number(lat.value), lon: Number(lon.value) };
    if (battery.value !== '') vehicle.batteryPct = Number(battery.value);
    const saved = await send([vehicle], t('partner.vehicles.saved', { id: vehicle.externalId }));
    if (saved) {
      pending?.remove();
      pending = null;
      form.reset();
    }
  });

  function show() {
    const vehicles = editor.service.vehicles ?? [];
    layer.clearLayers();
    for (const vehicle of vehicles) {
      const label = t('partner.vehicles.marker', { id: vehicle.externalId, battery: batteryText(vehicle) });
      const marker = L.marker([vehicle.lat, vehicle.lon], { icon: vehicleIcon(vehicle), draggable: true, title: label, alt: label, keyboard: true });
      marker.bindTooltip(label);
      marker.on('add', () => {
        const node = marker.getElement();
        if (node) {
          node.dataset.vehicleId = vehicle.externalId;
          node.setAttribute('aria-label', label);
        }
      });
      marker.on('dragend', () => {
        const { lat: newLat, lng: newLon } = marker.getLatLng();
        send([{ externalId: vehicle.externalId, lat: newLat, lon: newLon, batteryPct: vehicle.batteryPct, isReserved: vehicle.isReserved, isDisabled: vehicle.isDisabled }],
          t('partner.vehicles.moved', { id: vehicle.externalId }));
      });
      marker.addTo(layer);
    }
    list.replaceChildren(vehicles.length
      ? el('table', { class: 'vehicle-table' },
        el('caption', {}, t('partner.vehicles.count', { n: vehicles.length })),
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, t('partner.vehicles.id')),
          el('th', { scope: 'col' }, t('partner.vehicles.battery')),
          el('th', { scope: 'col' }, t('partner.vehicles.reported')),
          el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, t('partner.vehicles.actions'))))),
        el('tbody', {}, vehicles.map((vehicle) => el('tr', { dataset: { vehicleId: vehicle.externalId } },
          el('th', { scope: 'row' }, vehicle.externalId),
          el('td', {}, batteryText(vehicle)),
          el('td', {}, fmt.shortDateTime(vehicle.reportedAt)),
          el('td', {}, el('button', { type: 'button', class: 'danger', onclick: () => remove(vehicle.externalId) },
            t('partner.vehicles.remove', { id: vehicle.externalId })))))))
      : el('p', { class: 'hint' }, t('partner.vehicles.none')));
  }

  async function remove(externalId) {
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await gql(REMOVE, { id: editor.id, ids: [externalId] }, { auth: true });
      await editor.reload();
      confirmSaved(message, t('partner.vehicles.removed', { id: externalId }));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  const section = el('section', { class: 'narrow vehicles', 'aria-labelledby': 'vehicles-title' },
    el('h2', { id: 'vehicles-title' }, t('partner.vehicles.title')),
    el('p', { class: 'hint' }, t('partner.vehicles.intro')),
    form, message, list);
  show();
  return { section, show };
}
