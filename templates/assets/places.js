// Where a family is, and whether a centre is open now: worked out in this browser, with
// nothing sent anywhere. Shared by the centres finder, What's on and the map
// (window.ccsitePlaces); on its own it fills each centre's "open now" line.
//
// A typed place is one the page knows (ccsite/places.py writes them into data-postcodes,
// data-outward and data-towns): a centre's own postcode, an outward code (the middle of
// the centres sharing it), or a town, locality or district (the middle of its centres).
// Anything else is "no centres known near" it: never a guess.
(() => {
  const MILE = 1609.344;
  const EARTH = 6371008.8 / MILE; // the mean Earth radius, in miles
  const WEEK = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  const FULL_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;
  const OUTWARD = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;

  // as ccsite/places.py name_key: "Bishop's Stortford" and "bishops  stortford" match
  const nameKey = (text) => text.toLowerCase().replace(/&/g, " and ").replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, " ").trim();

  // the places the finder knows (/centres/places.json), asked of this site once
  // (a failed load is not kept: asked again at the next search, once the signal is back)
  let known = null;
  const placesOf = (finder) => {
    known = known || fetch(finder.dataset.places).then((r) => {
      if (!r.ok) throw new Error();
      return r.json();
    }).catch(() => {
      known = null;
      throw new Error("The list of places could not be loaded: check you are online, " +
        "then try again.");
    });
    return known;
  };
  const at = (table, name) => (table[name] ? { lat: table[name][0], lon: table[name][1],
    noneOpen: table[name][2] } : null);
  // where distances are from: the middle of a place's open centres, or, where it has none
  // (Royston's only centre is planned), where its centres are, said so (a parent's review)
  const fromWhere = (place, name, where = "in") => ({
    planned: `No centre ${where} ${name} is open yet: distances are from where one will be.`,
    closed: `No centre ${where} ${name} is open now: distances are from where one was.`,
    "not open": `No centre ${where} ${name} is open now: distances are from where its ` +
      "centres are.",
  }[place.noneOpen] || `Distances are from the middle of the centres ${where} ${name}.`);

  // query -> {lat, lon, label, note} | {unknown: what was typed} | null (nothing typed)
  const find = async (query, finder) => {
    const typed = query.trim().replace(/\s+/g, " ");
    if (!typed) return null;
    const places = await placesOf(finder);
    const compact = typed.toUpperCase().replace(/ /g, "");
    const full = compact.match(FULL_POSTCODE);
    if (full) {
      const code = `${full[1]} ${full[2]}`;
      const exact = at(places.postcodes, code);
      if (exact) {  // a planned or closed centre's own: said so (a parent's review)
        return { ...exact, label: code, note: exact.noneOpen ? fromWhere(exact, code, "at") : "" };
      }
      const area = at(places.outward, full[1]);
      if (!area) return { unknown: code };
      return { ...area, label: full[1], note: `This site does not know where ${code} is ` +
        `exactly. ${fromWhere(area, full[1])}` };
    }
    if (OUTWARD.test(compact)) {
      const area = at(places.outward, compact);
      return area ? { ...area, label: compact, note: fromWhere(area, compact) }
        : { unknown: compact };
    }
    const key = nameKey(typed);
    const names = Object.keys(places.towns);
    const name = names.find((n) => nameKey(n) === key) || (key.length >= 3 &&
      names.filter((n) => nameKey(n).startsWith(key)).sort((a, b) => a.length - b.length)[0]);
    if (!name) return { unknown: typed };
    const town = at(places.towns, name);
    return { ...town, label: name, note: fromWhere(town, name) };
  };

  // the visitor's location as a place (the browser's, or as this tab kept it)
  const YOUR_LOCATION = "your location";
  const located = (lat, lon) => ({ lat, lon, label: YOUR_LOCATION, note: "" });
  const isLocation = (place) => Boolean(place) && place.label === YOUR_LOCATION;
  const SORTED_BY_LOCATION = "Sorted by distance from your location, which stays in this " +
    "browser.";

  // the browser's own position; the answer stays in this page. The browser's timeout
  // starts only once the visitor has answered its question, and a question put aside
  // ("Not now") may never be answered: so this page waits LOCATE_MS in all, no longer
  const LOCATE_MS = 30000;
  const locate = () => new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error("This browser cannot tell your location."));
      return;
    }
    const gaveUp = setTimeout(() => reject(new Error(
      "Your location was not found in time (your browser may still be asking for it).")),
      LOCATE_MS);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(gaveUp);
        resolve(located(position.coords.latitude, position.coords.longitude));
      },
      (error) => {
        clearTimeout(gaveUp);
        reject(new Error(error.code === 1
          ? "Your browser did not let this page know your location."
          : "Your location could not be found."));
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  });

  // great-circle distance (haversine), in miles
  const miles = (a, b) => {
    const rad = (d) => (d * Math.PI) / 180;
    const dLat = rad(b.lat - a.lat);
    const dLon = rad(b.lon - a.lon);
    const h = Math.sin(dLat / 2) ** 2 +
      Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH * Math.asin(Math.sqrt(h));
  };
  const formatMiles = (m) => {
    const shown = m.toFixed(1);
    if (shown === "0.0") return "less than 0.1 miles";
    return shown === "1.0" ? "1 mile" : `${shown} miles`;
  };
  const pointOf = (el) => (el.dataset.lat ? { lat: Number(el.dataset.lat),
                                               lon: Number(el.dataset.lon) } : null);

  // -- open now, in UK time whatever the visitor's clock says --------------------------
  const ukNow = () => {
    const parts = {};
    for (const p of new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London",
      weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date())) parts[p.type] = p.value;
    return { day: parts.weekday.slice(0, 3).toLowerCase(),
             time: `${parts.hour}:${parts.minute}`,
             date: `${parts.year}-${parts.month}-${parts.day}` };
  };
  // why a centre is closed on a day although its hours say open (a bank holiday...), or
  // null: its data-closed and the page's data-site-closed (every centre's) are each
  // [[first day, last day, why], ...] (macros.html place_data, places_script)
  const everywhere = JSON.parse(
    document.querySelector("[data-site-closed]")?.dataset.siteClosed || "[]");
  // the [first day, last day, why] of `ranges` that holds `date` ("2026-12-25"), or none
  const coveredBy = (ranges, date) => ranges.find(([first, last]) => first <= date && date <= last);
  const closedBecause = (el, date) => {
    const closure = coveredBy([...JSON.parse(el.dataset.closed || "[]"), ...everywhere], date);
    return closure ? closure[2] : null;
  };
  // 'mon,tue 09:00 17:00;sat 10:00 12:00' (ccsite/render.py hours_data)
  const readHours = (text) => (text || "").split(";").filter(Boolean).map((row) => {
    const [days, opens, closes] = row.split(" ");
    return { days: days.split(","), opens, closes };
  });
  // "9am", "5:30pm", "midday", as the pages write times
  const clock = (hhmm) => {
    const [h, m] = hhmm.split(":").map(Number);
    if (m === 0 && h === 12) return "midday";
    if (m === 0 && h === 0) return "midnight";
    const hour = h % 12 || 12;
    const suffix = h < 12 ? "am" : "pm";
    return m === 0 ? `${hour}${suffix}` : `${hour}:${String(m).padStart(2, "0")}${suffix}`;
  };
  // {open, today: "9am to 5pm" | ""} for an element with data-hours (which only a centre
  // open today has: not one planned, opening later or closed); else null
  const today = (el) => {
    if (!el.dataset.hours) return null;
    const now = ukNow();
    const closed = closedBecause(el, now.date);
    if (closed) return { open: false, today: "", closed };
    const rows = readHours(el.dataset.hours).filter((r) => r.days.includes(now.day))
      .sort((a, b) => a.opens.localeCompare(b.opens));
    return { open: rows.some((r) => r.opens <= now.time && now.time < r.closes),
             today: rows.map((r) => `${clock(r.opens)} to ${clock(r.closes)}`).join(", ") };
  };
  const holidays = JSON.parse(
    document.querySelector("[data-site-holidays]")?.dataset.siteHolidays || "[]");
  // a session of the element's own timetable on now although its hours say closed (an
  // evening course): "Closed now" beside "On now" read as a contradiction (a parent's
  // review); null when none is
  const sessionOnNow = (el, now) => [...(document.getElementById(el.dataset.sessions)
    ?.querySelectorAll(`[data-timetable][data-day="${now.day}"] li[data-starts]`) || [])]
    .find((item) =>
    item.dataset.starts <= now.time && now.time < item.dataset.ends &&
    !closedBecause(item, now.date) &&
    !("termTime" in item.dataset && coveredBy(holidays, now.date))) || null;
  const todayLine = (el) => {
    const t = today(el);
    if (!t) return null;
    const line = document.createDocumentFragment();
    const tag = document.createElement("strong");
    tag.className = `tag tag--${t.open ? "green" : "grey"}`;
    tag.textContent = t.closed ? "Closed today" : t.open ? "Open now" : "Closed now";
    line.append(tag, t.closed ? ` ${t.closed}` : ` Today: ${t.today || "closed"}`);
    const session = !t.open && !t.closed && sessionOnNow(el, ukNow());
    if (session) {
      line.append(`; ${session.querySelector("strong").textContent} is on now, until ` +
        `${clock(session.dataset.ends)}`);
    }
    return line;
  };
  // a centre's line for today: in its [data-today] when that is empty (a centre's page),
  // else just before it (a card's week of hours, kept: on a Sunday it says when it opens)
  const todayTargets = new WeakMap();
  const todayTarget = (target) => {
    if (!todayTargets.has(target)) {
      let shown = target;
      if (target.textContent.trim()) {
        shown = document.createElement("p");
        shown.className = "today";
        target.before(shown);
      }
      todayTargets.set(target, shown);
    }
    return todayTargets.get(target);
  };
  const fillToday = () => {
    for (const holder of document.querySelectorAll("[data-hours]")) {
      const target = holder.querySelector("[data-today]");
      const line = target && todayLine(holder);
      if (!line) continue;
      const shown = todayTarget(target);
      shown.replaceChildren(line);
      shown.hidden = false;
    }
  };
  // `update` again each minute (on the minute) and whenever the page is shown again: a
  // phone keeps a tab open for days, and "Open now" must not stay so past closing
  const everyMinute = (update) => {
    const tick = () => setTimeout(() => { update(); tick(); }, 60000 - (Date.now() % 60000));
    tick();
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) update();
    });
    window.addEventListener("pageshow", (event) => { if (event.persisted) update(); });
  };

  // the count of what is shown ([data-filter-status], a live region): written only when
  // it changes, so that one the same is not read out again over the finder's message
  const tell = (status, text) => {
    if (status.textContent !== text) status.textContent = text;
  };

  // `change()` with the live region `status` not read out: the count of a list redrawn
  // after a place was not found would be told as if the search had worked
  const quietly = (status, change) => {
    status.setAttribute("aria-live", "off");
    change();
    setTimeout(() => status.removeAttribute("aria-live"), 500);
  };

  // a message under the finder, told by screen readers as it changes (the box is a live
  // region, role=status); `links`: [{name, href}] offered when a place is unknown.
  // Returns the box, for the focus to go to it.
  const say = (finder, text, links = []) => {
    const box = finder.querySelector("[data-finder-message]");
    box.replaceChildren(text);
    if (links.length) {
      const list = document.createElement("ul");
      list.className = "finder__districts";
      for (const { name, href } of links) {
        const item = document.createElement("li");
        const a = document.createElement("a");
        a.href = href;
        a.textContent = name;
        item.append(a);
        list.append(item);
      }
      box.append(list);
    }
    return box;
  };

  // The typed place is kept in the address's fragment (#near=WD19+7AD), which a browser
  // never sends (on a reload, or in a Referer): "nothing you type leaves this page"
  // holds. The other filters say nothing of where a family is, and stay in the query.
  // A ?near= link (made by another page) is still read, and moved.
  // A location found by "Use my location" is kept by this tab alone (sessionStorage: never
  // sent, gone when the tab is closed), and the address says only "#here": a parent who
  // sorted Monday's sessions by it sees Tuesday's sorted so too, without being asked again.
  const nearInAddress = () => new URLSearchParams(location.hash.slice(1)).get("near") ||
    new URLSearchParams(location.search).get("near");
  const HERE = "#here";
  const KEPT_LOCATION = "ccsite-location";
  const keptLocation = () => {
    try {
      const kept = JSON.parse(sessionStorage.getItem(KEPT_LOCATION));
      return kept && Number.isFinite(kept.lat) && Number.isFinite(kept.lon)
        ? located(kept.lat, kept.lon) : null;
    } catch (error) {
      return null; // storage refused (a private window's rules): asked again
    }
  };
  const keepLocation = (place) => {
    try {
      if (place) sessionStorage.setItem(KEPT_LOCATION, JSON.stringify({ lat: place.lat, lon: place.lon }));
      else sessionStorage.removeItem(KEPT_LOCATION);
    } catch (error) { /* not kept: asked again on the next page */ }
  };
  const placeInAddress = () => new URLSearchParams(location.hash.slice(1)).has("near") ||
    location.hash === HERE;
  // `here`: the place is the browser's location (kept as above)
  const writeAddress = (query, typed, here = false) => {
    query.delete("near");
    const search = query.toString();
    const kept = placeInAddress() ? "" : location.hash; // kept: #district-x
    const hash = typed ? `#${new URLSearchParams({ near: typed })}` : here ? HERE : kept;
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}${hash}`);
  };

  // Was `near` just searched for on another page (the home page's box: nav.js)? Asked once.
  const takeSearched = (near) => {
    try {
      const searched = sessionStorage.getItem("ccsite-searched");
      sessionStorage.removeItem("ccsite-searched");
      return searched !== null && searched.trim() === near.trim();
    } catch (error) {
      return false;
    }
  };

  // A filter form with a finder (the centres directory, What's on): its box, "Use my
  // location", "Clear filters" and #near=. `apply(updateUrl)` redraws the page from the
  // form and `state`; `links()`: the districts offered for an unknown place; `reset()`
  // clears the page's own fields. After a search the focus goes to the count shown
  // ([data-filter-status]), or to the message if the place was not found (the count
  // would read as if the search had worked).
  const connect = (form, { apply, links, reset }) => {
    const finder = form.querySelector("[data-finder]");
    const input = finder.querySelector("[data-finder-input]");
    const status = document.querySelector("[data-filter-status]");
    const state = { place: null, typed: "" }; // typed: what the address keeps (never a location)
    const showResult = () => {
      status.focus({ preventScroll: true });
      status.scrollIntoView({ block: "start" });
    };
    const showProblem = (box) => {
      box.focus({ preventScroll: true });
      box.scrollIntoView({ block: "nearest" });
    };
    // the box read into `state`; returns the message box when what was typed could not
    // be placed (or the places not loaded), else null
    const readBox = async () => {
      let found;
      try {
        found = await find(input.value, finder);
      } catch (error) {
        return say(finder, error.message);
      }
      state.typed = "";
      if (found === null) {
        if (!isLocation(state.place)) state.place = null;
        say(finder, "");
      } else if (found.unknown) {
        state.place = null;
        // (it may be right: see places.py)
        const postcode = /[0-9]/.test(found.unknown);
        return say(finder, `This site cannot place ${found.unknown}: it knows the ` +
          "postcode areas and towns of its centres only. " + (postcode
            ? "Type your town instead, or choose your district:"
            : "Type your postcode, or the nearest town with a centre, or choose your " +
              "district:"), links());
      } else {
        state.place = found;
        state.typed = input.value.trim();
        say(finder, found.note);
      }
      return null;
    };
    form.addEventListener("change", (event) => {
      if (event.target !== input) apply(true);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      // "Find" with nothing typed, and no place in use, said nothing, and did nothing a
      // parent could see (a parent's review); with a place in use, the box emptied, it
      // goes back to the list as it was; the page's other button shows its filters
      if (!input.value.trim() && finder.contains(event.submitter) && !state.place) {
        showProblem(say(finder, "Type a postcode or a town first (for example WD19 7AD " +
          "or Watford), or press \u201cUse my location\u201d."));
        return;
      }
      const problem = await readBox();
      if (problem) quietly(status, () => apply(true));
      else apply(true);
      if (problem) showProblem(problem);
      else showResult();
    });
    finder.querySelector("[data-finder-locate]").addEventListener("click", async () => {
      say(finder, "Finding your location\u2026");
      try {
        state.place = await locate();
        keepLocation(state.place);
        input.value = "";
        state.typed = "";
        say(finder, SORTED_BY_LOCATION);
        apply(true);
        showResult();
      } catch (error) {
        say(finder, `${error.message} Type a postcode or town instead.`);
      }
    });
    form.querySelector("[data-filter-clear]").addEventListener("click", () => {
      reset();
      input.value = "";
      state.place = null;
      keepLocation(null);
      state.typed = "";
      say(finder, "");
      apply(true);
    });
    const near = nearInAddress();
    if (location.hash === HERE && keptLocation()) {
      state.place = keptLocation();
      say(finder, SORTED_BY_LOCATION);
      queueMicrotask(() => apply(true)); // (once the page's own script has its state)
    } else if (near) {
      input.value = near;
      // a search made on the home page (nav.js) is told as one made here: the results
      // were a screen below, unannounced, and an unknown place looked like the whole
      // list (a parent's review); a reload, or a link, keeps its place on the page
      const searched = takeSearched(near);
      readBox().then((problem) => { // (a ?near= is taken out of the query)
        if (problem && searched) quietly(status, () => apply(true));
        else apply(true);
        if (searched) (problem ? showProblem(problem) : showResult());
      });
    }
    form.hidden = false;
    // the places asked for now, not at the first search: a parent who loaded the page
    // on a good signal can still search once it is gone (a parent's review); a failed
    // load is asked again at that search
    const soon = window.requestIdleCallback || ((then) => setTimeout(then, 0));
    soon(() => placesOf(finder).catch(() => {}));
    return state;
  };

  // a printed centre says the day it was printed: hours and closures change, and a
  // sheet on the fridge is read for months (a parent's review)
  const printedOn = () => {
    const long = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long",
                                                    year: "numeric", timeZone: "UTC" });
    for (const line of document.querySelectorAll("[data-printed-on]")) {
      line.textContent = `. Printed on ${long.format(Date.parse(ukNow().date))}: ` +
        "check there for changes before you go.";
    }
  };
  // the closure of every centre (a bank holiday, Christmas) that holds a date: [first
  // day, last day, why], or null
  const closedEverywhere = (date) => coveredBy(everywhere, date) || null;

  window.ccsitePlaces = { find, locate, miles, formatMiles, pointOf, today, todayLine,
                          connect, tell, writeAddress, placeInAddress, isLocation, ukNow,
                          closedBecause, closedEverywhere, coveredBy, everyMinute };
  fillToday();
  everyMinute(fillToday);
  printedOn();
  window.addEventListener("beforeprint", printedOn);
})();
