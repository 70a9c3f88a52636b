// What's on, one day: its sessions filtered by district, and nearest first to a postcode,
// town or the browser's location (places.js), within a distance if asked. Without
// JavaScript the page is the day's whole timetable. Preselect with
// ?district=Watford&within=2#near=WD19 (?near=WD19 is read too).
(() => {
  const P = window.ccsitePlaces;
  const form = document.querySelector("[data-whats-on-filter]");
  if (!form || !P) return;
  const district = form.elements.district;
  const within = form.elements.within;
  const withinField = form.querySelector("[data-within]");
  const status = document.querySelector("[data-filter-status]");
  const list = document.querySelector("[data-timetable] ul");
  const items = [...list.children];
  const params = new URLSearchParams(location.search);
  for (const [select, value] of [[district, params.get("district")],
                                 [within, params.get("within")]]) {
    for (const option of select.options) {
      if (value && option.value.toLowerCase() === value.toLowerCase()) select.value = option.value;
    }
  }

  // the other days' links keep what was chosen here (a district, a distance, a place),
  // as this day's address does: a parent who picked Watford on Monday sees Watford's
  // Tuesday (the place only where it was typed: a browser's location is asked again)
  const dayLinks = [...document.querySelectorAll(".day-nav a")];
  const keepChoices = () => {
    for (const link of dayLinks) {
      const url = new URL(link.href);
      url.search = location.search;
      url.hash = new URLSearchParams(location.hash.slice(1)).has("near") ? location.hash : "";
      link.href = url.href;
    }
  };

  let state = { place: null, typed: "" };
  const apply = (updateUrl) => {
    const { place } = state;
    const far = (item) => (place && P.pointOf(item) ? P.miles(place, P.pointOf(item)) : Infinity);
    const limit = place && within.value ? Number(within.value) : Infinity;
    // nearest first (by time where as near), or the day's order by time
    const order = place ? [...items].sort((a, b) => far(a) - far(b)) : items;
    let shown = 0;
    for (const item of order) {
      list.append(item);
      item.hidden = Boolean((district.value && item.dataset.district !== district.value) ||
                            far(item) > limit);
      let label = item.querySelector("[data-distance]");
      if (place && Number.isFinite(far(item))) {
        if (!label) {
          label = document.createElement("span");
          label.className = "session__distance";
          label.dataset.distance = "";
          item.append(label);
        }
        label.textContent = `${P.formatMiles(far(item))} away`;
      } else {
        label?.remove();
      }
      if (!item.hidden) shown++;
    }
    withinField.hidden = !place;
    P.tell(status, `${shown} ${shown === 1 ? "session" : "sessions"} shown` +
      (place && shown ? ", nearest first" : "") +
      (shown ? "" : ": try another district, distance or day"));
    if (updateUrl) {
      const query = new URLSearchParams();
      if (district.value) query.set("district", district.value);
      if (place && within.value) query.set("within", within.value);
      P.writeAddress(query, state.typed);
    }
    keepChoices();
  };

  state = P.connect(form, {
    apply,
    links: () => [...district.options].filter((o) => o.value)
      .map((o) => ({ name: o.value, href: `?district=${encodeURIComponent(o.value)}` })),
    reset: () => {
      district.value = "";
      within.value = "";
    },
  });
  apply(false);
})();
