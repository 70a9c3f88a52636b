// Centres directory: the nearest centres to a postcode, town or the browser's location
// (places.js), and the filters by district and services. Without JavaScript the page
// lists every centre by district. Preselect with ?district=Watford&service=health#near=WD19
// (service may repeat; ?near=WD19 is read too; a location is never put in the address).
(() => {
  const P = window.ccsitePlaces;
  const form = document.querySelector("[data-centre-filter]");
  if (!form || !P) return;
  const select = form.elements.district;
  const boxes = [...form.querySelectorAll("input[name=service]")];
  const status = document.querySelector("[data-filter-status]");
  const groups = [...document.querySelectorAll("[data-district-group]")];
  const directory = document.querySelector("[data-directory]");
  const results = document.querySelector("[data-results]");
  const resultsList = results.querySelector("[data-results-list]");
  const resultsHeading = results.querySelector("[data-results-heading]");
  const unfiltered = [...document.querySelectorAll("[data-unfiltered]")];
  const cards = [...directory.querySelectorAll(".card")];
  const home = new Map(cards.map((card) => [card, card.parentElement]));
  const params = new URLSearchParams(location.search);
  const district = (params.get("district") || "").toLowerCase();
  const services = params.getAll("service").flatMap((s) => s.split(","));

  for (const option of select.options) {
    if (option.value && (option.value.toLowerCase() === district ||
                         option.dataset.slug === district)) select.value = option.value;
  }
  for (const box of boxes) box.checked = services.includes(box.value);

  const distanceOf = (card) => {
    let label = card.querySelector("[data-distance]");
    if (!label) {
      label = document.createElement("p");
      label.className = "card__distance";
      label.dataset.distance = "";
      card.querySelector("h2, h3").after(label);
    }
    return label;
  };

  let state = { place: null, typed: "" };
  // the page's title says the search too: a screen reader's user, back at the page or
  // among its tabs, heard only "Find a children's centre" (a parent's review)
  const pageTitle = document.title;
  const apply = (updateUrl) => {
    const { place } = state;
    const chosen = select.value;
    const needed = boxes.filter((b) => b.checked).map((b) => b.value);
    // nearest to a place: only centres open now (a closed one is nowhere to go, a planned
    // one not yet; both stay in the directory, marked so)
    const matches = (card) => (!chosen || card.dataset.district === chosen) &&
      needed.every((s) => card.dataset.services.split(" ").includes(s)) &&
      (!place || card.dataset.state === "open");
    let shown = 0;
    for (const card of cards) {
      card.hidden = !matches(card);
      if (!card.hidden) shown++;
    }
    if (place) {
      const far = (card) => (P.pointOf(card) ? P.miles(place, P.pointOf(card)) : Infinity);
      const nearest = cards.filter((c) => !c.hidden).sort((a, b) => far(a) - far(b));
      for (const card of nearest) {
        const d = far(card);
        distanceOf(card).textContent = Number.isFinite(d)
          ? `${P.formatMiles(d)} away` : "Distance not known";
        resultsList.append(card);
      }
      resultsHeading.textContent = `Nearest to ${place.label}`;
    } else {
      for (const card of cards) { // back in their districts, in their order
        card.querySelector("[data-distance]")?.remove();
        home.get(card).append(card);
      }
      for (const group of groups) group.hidden = !group.querySelector(".card:not([hidden])");
    }
    results.hidden = !place;
    directory.hidden = !!place;
    document.title = place ? `Nearest to ${place.label}: ${pageTitle}` : pageTitle;
    for (const part of unfiltered) part.hidden = !!(place || chosen || needed.length);
    P.tell(status, `${shown} ${shown === 1 ? "centre" : "centres"} shown` +
      (place && shown ? ", nearest first" : "") +
      (shown ? "" : ": try another district or fewer services"));
    // the map, if shown, follows (nearest first: to the place and the nearest centres)
    document.dispatchEvent(new CustomEvent("ccsite:filtered", { detail: { place } }));
    if (updateUrl) {
      const query = new URLSearchParams();
      if (chosen) query.set("district", chosen);
      for (const s of needed) query.append("service", s);
      P.writeAddress(query, state.typed, P.isLocation(state.place));
    }
  };

  state = P.connect(form, {
    apply,
    links: () => groups.map((g) => ({ name: g.querySelector("h2").textContent,
                                      href: `#${g.querySelector("h2").id}` })),
    reset: () => {
      select.value = "";
      for (const box of boxes) box.checked = false;
    },
  });
  apply(false);
})();
