// "Show map": a map of the centres on the page, beside the list, never instead of it; the
// same button hides it again.
// Leaflet (vendor/leaflet/: scripts/update-vendor.sh) and the map pictures load only
// once the button is pressed: until then nothing is asked of another server. Tiles and
// credit: site.yaml `map:` ([data-map]). Markers: the centres shown with a position
// (.card[data-lat]:not([hidden])), each a button whose popup links to the centre and
// says today's hours; drawn again when the filters change ("ccsite:filtered"). After a
// search, the place searched from is marked and the map shows it with the nearest.
(() => {
  const box = document.querySelector("[data-map]");
  if (!box) return;
  const button = box.querySelector("[data-map-show]");
  const area = box.querySelector("[data-map-area]");
  const me = document.currentScript || document.querySelector('script[src$="/map.js"]');
  const vendor = new URL("vendor/leaflet/", me.src).href;

  const load = () => new Promise((resolve, reject) => {
    if (window.L) {
      resolve(window.L);
      return;
    }
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = `${vendor}leaflet.css`;
    document.head.append(css);
    const script = document.createElement("script");
    script.src = `${vendor}leaflet.js`;
    script.onload = () => resolve(window.L);
    script.onerror = () => {
      script.remove(); // (so that pressing again asks for it again)
      css.remove();
      reject(new Error("The map could not be loaded."));
    };
    document.head.append(script);
  });

  const text = (tag, content, className) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    el.append(content);
    return el;
  };

  // a centre not open says so (name, popup) and is faded: no one sets out for it
  const notOpen = (card) => !card.dataset.state || card.dataset.state === "open" ? "" :
    (card.querySelector(".tag") || { textContent: "Not open" }).textContent.trim();

  const popup = (card) => {
    const content = document.createElement("div");
    const link = card.querySelector("a");
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.textContent;
    content.append(text("p", a, "map__name"));
    const today = notOpen(card) || (window.ccsitePlaces && window.ccsitePlaces.todayLine(card));
    if (today) content.append(text("p", today));
    return content;
  };

  let map = null;
  let markers = null; // the markers' layer, emptied and filled again by draw()
  // a visitor who asked for less motion: no zoom, fade or pan is animated
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Enter on a marker: the focus goes into its popup (else Tab went through every other
  // marker first), and back to the marker when it closes from within (Escape, close).
  const keyboardPopup = (marker) => {
    marker.on("popupopen", (event) => {
      const link = event.popup.getElement().querySelector(".leaflet-popup-content a");
      if (link) link.focus({ preventScroll: true }); // the map's pane must not scroll
    });
    marker.on("popupclose", (event) => {
      const focused = document.activeElement;
      if (focused === document.body || event.popup.getElement().contains(focused)) {
        marker.getElement().focus({ preventScroll: true });
      }
    });
    return marker;
  };

  // the place the list is sorted from (a typed place, or the visitor's location), as
  // the filters last told it ("ccsite:filtered"): the map then shows it and the nearest
  // centres, not the whole county
  let place = null;
  const NEAREST = 5;

  const draw = (L) => {
    markers.clearLayers();
    const points = [];
    for (const card of document.querySelectorAll(".card[data-lat]:not([hidden])")) {
      const point = [Number(card.dataset.lat), Number(card.dataset.lon)];
      const state = notOpen(card);
      const name = card.querySelector("a").textContent + (state ? `: ${state}` : "");
      // Tab reaches every marker, also one outside the part of the map shown: the map
      // moves to show the one with the focus (autoPanOnFocus)
      const marker = keyboardPopup(L.marker(point, { alt: name, title: name, keyboard: true,
                                                     autoPanOnFocus: true }))
        .bindPopup(popup(card));
      // greyed, not faded: a faded marker fell below 3:1 against the map (WCAG 1.4.11);
      // (its element is made when the map first has a view: see `add`)
      if (state) marker.once("add", () => marker.getElement().classList.add(
        "map__marker--not-open"));
      marker.addTo(markers);
      points.push(point);
    }
    let shown = points;
    if (place) {
      const here = [place.lat, place.lon];
      const name = window.ccsitePlaces.isLocation(place) ? "Your location" : `Near ${place.label}`;
      L.circleMarker(here, { radius: 9, weight: 3, color: "#0b0c0c", fillColor: "#ffdd00",
                             fillOpacity: 1, interactive: false }).addTo(markers)
        .bindTooltip(name, { permanent: true, direction: "top" });
      shown = [here, ...points.slice(0, NEAREST)]; // (the cards are nearest first)
    }
    if (shown.length === 1) map.setView(shown[0], 15);
    else if (shown.length) map.fitBounds(shown, { padding: [24, 24], maxZoom: 15 });
    const n = points.length;
    box.dataset.markers = String(n);
    area.setAttribute("aria-label", n ? `Map of ${n} ${n === 1 ? "centre" : "centres"}: ` +
      "use Tab to reach each one, Enter to open its details and Escape to close them" :
      "Map: no centres to show");
  };

  const show = (L) => {
    area.hidden = false;
    area.setAttribute("role", "region"); // (its name says how to use it: see draw)
    map = L.map(area, { scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still,
                        markerZoomAnimation: !still, inertia: !still });
    // the zoom buttons first in the keyboard's order, not after every marker (Leaflet puts
    // its controls last); their corner is placed by its own CSS, wherever it stands
    area.prepend(area.querySelector(".leaflet-top.leaflet-left"));
    if (still) { // Leaflet animates a pan (the keyboard's, a popup's) unless told not to
      const panBy = map.panBy.bind(map);
      map.panBy = (offset, options) => panBy(offset, { ...options, animate: false });
    }
    const credit = document.createElement("a");
    credit.href = box.dataset.attributionUrl;
    credit.textContent = box.dataset.attribution;
    L.tileLayer(box.dataset.tiles, { maxZoom: Number(box.dataset.maxZoom),
                                     attribution: credit.outerHTML }).addTo(map);
    markers = L.layerGroup().addTo(map);
    // Escape closes the popup wherever the focus is in the map (Leaflet: the map only)
    area.addEventListener("keydown", (event) => {
      if (event.key === "Escape") map.closePopup();
    });
    draw(L);
    shown(true);
    area.focus();
  };

  // the button says what pressing it does: show the map, or hide it again (the map is
  // kept, as drawn, while hidden)
  // (a site's macros.html copied from an older theme has no word to change: its button
  // goes once the map is shown, as it did then)
  const verb = button.querySelector("[data-map-verb]");
  const shown = (visible) => {
    area.hidden = !visible;
    button.setAttribute("aria-expanded", String(visible));
    if (verb) verb.textContent = visible ? "Hide" : "Show";
    else button.closest("p").hidden = visible;
    if (visible && map) {
      map.invalidateSize(); // (drawn again: the list may have been filtered meanwhile)
      draw(window.L);
    }
  };

  document.addEventListener("ccsite:filtered", (event) => {
    place = (event.detail && event.detail.place) || null;
    if (map) draw(window.L);
  });

  // The button stays enabled while Leaflet loads (a disabled one drops the keyboard's
  // focus to the page's top); a second press meanwhile does nothing. A failure (the
  // signal lost) is said where the button is, as an alert, and the button tries again.
  let loading = false;
  // (a site's own macros.html copied from an older theme has no place for it: made)
  const problem = box.querySelector("[data-map-problem]") || (() => {
    const made = document.createElement("p");
    made.className = "map__problem";
    made.setAttribute("role", "alert");
    made.hidden = true;
    area.before(made);
    return made;
  })();
  button.addEventListener("click", () => {
    if (map) {
      shown(area.hidden);
      if (!area.hidden) area.focus();
      return;
    }
    if (loading) return;
    loading = true;
    button.setAttribute("aria-busy", "true");
    problem.hidden = true;
    load().then(show).catch((error) => {
      problem.textContent = `${error.message} Check your connection, then press ` +
        "the button again. Everything the map shows is also in " +
        `${box.dataset.instead || "this page"}.`;
      problem.hidden = false;
    }).finally(() => {
      loading = false;
      button.removeAttribute("aria-busy");
    });
  });
  box.hidden = false;
})();
