// Small line icons for the modes (decorative: the mode's name is always written beside).
const SVG_NS = 'http://www.w3.org/2000/svg';

const WHEELS = '<circle cx="4" cy="12" r="2.6"/><circle cx="12" cy="12" r="2.6"/>';
const PATHS = {
  WALK: '<circle cx="8.5" cy="2.6" r="1.6"/><path d="M8 5.5 6.5 10l-2 4.5M8 5.5l1.5 4 2 4.5M5 8l3-2.5 3 2"/>',
  BICYCLE: `${WHEELS}<path d="M4 12l3-6h4l1 6M7 6h-1.5M9.5 12 7 6"/>`,
  BIKE_SHARE: `${WHEELS}<path d="M4 12l3-6h4l1 6M7 6h-1.5M9.5 12 7 6"/>`,
  SCOOTER_SHARE: '<circle cx="3.5" cy="12.5" r="2"/><circle cx="12.5" cy="12.5" r="2"/><path d="M3.5 12.5h7l1-9h2"/>',
  CAR: '<path d="M2 11V8l2-4h8l2 4v3z"/><circle cx="5" cy="11.5" r="1.5"/><circle cx="11" cy="11.5" r="1.5"/>',
  CAR_SHARE: '<path d="M2 11V8l2-4h8l2 4v3z"/><circle cx="5" cy="11.5" r="1.5"/><circle cx="11" cy="11.5" r="1.5"/>',
  ON_DEMAND: '<path d="M2 12V9l2-4h8l2 4v3z"/><circle cx="5" cy="12.5" r="1.3"/><circle cx="11" cy="12.5" r="1.3"/><path d="M6 2.5h4"/>',
  SHUTTLE: '<rect x="2.5" y="2" width="11" height="10.5" rx="1.5"/><path d="M2.5 7.5h11M5 12.5V14M11 12.5V14"/>',
  TRANSIT: '<rect x="3" y="1.5" width="10" height="11" rx="2"/><path d="M3 7h10M5.5 12.5 4 15M10.5 12.5 12 15"/>',
  PARKING: '<rect x="2" y="2" width="12" height="12" rx="2"/><path d="M6.5 11.5v-7h2.5a2 2 0 0 1 0 4H6.5"/>',
};

/** An inline SVG icon for a mode, hidden from assistive technology. */
export function modeIcon(mode) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'mode-icon');
  svg.innerHTML = PATHS[mode] || PATHS.TRANSIT;
  return svg;
}
