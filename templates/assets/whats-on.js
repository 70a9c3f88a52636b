// What's on, one day: its sessions filtered by district, and nearest first to a postcode,
// town or the browser's location (places.js), within a distance if asked. Without
// JavaScript the page is the day's whole timetable. Preselect with
// ?district=Watford&within=2#near=WD19 (?near=WD19 is read too).
(() => {
  const P = window.ccsitePlaces;
  if (!P) return;
  // a session at a centre closed on that day's next date (today, if it is that day) is
  // told as closed, and why; so is a term-time session (data-term-time) in the school
  // holidays (the page's data-site-holidays, given as closures are)
  const holidays = JSON.parse(
    document.querySelector("[data-site-holidays]")?.dataset.siteHolidays || "[]");
  const holidayOn = (item, date) => {
    if (!("termTime" in item.dataset)) return null;
    const holiday = P.coveredBy(holidays, date);
    return holiday ? `${holiday[2]}: this session is term time only.` : null;
  };
  // the days a timetable is for, and how far ahead of the UK's today each next comes
  const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const daysAhead = (now, day) => (WEEK.indexOf(day) - WEEK.indexOf(now.day) + 7) % 7;
  const dayAhead = (now, days) => new Date(Date.parse(now.date) + days * 86400000);
  const dateAhead = (now, days) => dayAhead(now, days).toISOString().slice(0, 10); // ISO
  const spoken = (options) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
  const dayMonth = spoken({ day: "numeric", month: "long" }); // "25 December"
  const weekdayDayMonth = spoken({ weekday: "long", day: "numeric", month: "long" });

  // each day's timetable ([data-timetable][data-day]: What's on's day, a centre's week)
  // marked for that day's next date; marked afresh while the page stays open (a phone
  // keeps a tab for days: Thursday's "Not on 25 December" is Friday's "Not today")
  const markClosedSessions = (now) => {
    for (const old of document.querySelectorAll("[data-closed-mark]")) old.remove();
    for (const table of document.querySelectorAll("[data-timetable][data-day]")) {
      const ahead = daysAhead(now, table.dataset.day);
      const day = dayAhead(now, ahead);
      const date = day.toISOString().slice(0, 10);
      const shown = dayMonth.format(day);
      for (const item of table.querySelectorAll("li")) {
        const closed = P.closedBecause(item, date);
        const why = closed || holidayOn(item, date);
        // a session running now is told so (an evening course, when the centre's own
        // hours say "Closed now": a parent's review), and so is one over for today
        const onNow = !why && !ahead && item.dataset.starts <= now.time &&
          now.time < item.dataset.ends;
        const over = !why && !ahead && item.dataset.ends <= now.time;
        if (!why && !onNow && !over) continue;
        const mark = document.createElement("span");
        mark.dataset.closedMark = "";
        const tag = document.createElement("strong");
        tag.className = `tag tag--${onNow ? "green" : "grey"}`;
        tag.textContent = onNow ? "On now" : over ? "Finished for today" : closed
          ? (ahead ? `Closed on ${shown}` : "Closed today") : (ahead ? `Not on ${shown}` : "Not today");
        mark.append(" ", tag);
        if (why) mark.append(` ${why}`);
        item.append(mark);
      }
    }
  };

  // today among the days (the UK's): its link marked, and a line above them that says
  // which day and date a parent is reading, or that no sessions run today (a Sunday), or
  // that every centre is closed that day (Christmas: each of its sessions was told
  // "Closed today", and nothing above them said so: a parent's review)
  const markToday = (now) => {
    const dayDate = (days) => weekdayDayMonth.format(dayAhead(now, days));
    const closureOn = (days) => P.closedEverywhere &&
      P.closedEverywhere(dateAhead(now, days));
    const closedAll = (days) => closureOn(days)?.[2];
    const links = [...document.querySelectorAll(".day-nav a[data-day]")];
    for (const old of document.querySelectorAll("[data-today-mark]")) old.remove();
    const todays = links.find((link) => link.dataset.day === now.day);
    if (todays) {
      const tag = document.createElement("strong");
      tag.className = "tag tag--green";
      tag.dataset.todayMark = "";
      tag.textContent = "Today";
      todays.append(" ", tag);
    }
    const note = document.querySelector("[data-today-note]");
    const current = document.querySelector(".day-nav a[aria-current]");
    if (!note || !links.length) return;
    const ahead = (link) => daysAhead(now, link.dataset.day);
    const closedThen = (days) => (closedAll(days) ? ` Every centre is closed that day ` +
      `(${closedAll(days)}), so none of these sessions runs.` : "");
    // the next day with sessions, from tomorrow, on which the centres are not all closed
    const next = links.filter((link) => ahead(link) && !closedAll(ahead(link)))
      .sort((a, b) => ahead(a) - ahead(b))[0];
    // ...or, when none in the week ahead is (a closure of a fortnight), until when they
    // are closed
    const lastDay = (closure) => weekdayDayMonth.format(new Date(Date.parse(closure[1])));
    // "closed tomorrow (New Year's Day)": one day is not "from tomorrow until Friday 1
    // January", which reads as several (a review)
    const fromTomorrow = (closure) => (closure[1] === dateAhead(now, 1)
      ? ` Every centre is closed tomorrow (${closure[2]}).`
      : ` Every centre is closed from tomorrow until ${lastDay(closure)} (${closure[2]}).`);
    const [today, tomorrow] = [closureOn(0), closureOn(1)];
    const nextLink = () => {
      if (next) {
        // the days it skips because every centre is closed, said why (a review: Christmas
        // Eve's evening offered Tuesday's sessions, and nothing of the days between)
        const skipped = !today && tomorrow && ahead(next) > 1 ? fromTomorrow(tomorrow) : "";
        return [`${skipped} `, Object.assign(document.createElement("a"), { href: next.href,
          textContent: `${dayDate(ahead(next)).split(" ")[0]}'s sessions` }), "."];
      }
      if (today) return [` They are closed until ${lastDay(today)}.`];
      if (tomorrow) return [fromTomorrow(tomorrow)];
      return [];
    };
    // ...and whether today's sessions are all over (at 10pm the note offered them: a
    // review), of those that run today: in the school holidays, not the term-time ones
    // (an evening class kept Tuesday's "over" till 9pm); none runs, it has none today
    // (a council's copy of whats-on.html made before it has no data-ends: as before, the
    // day's sessions are offered, never said to be over or not to run)
    const inHolidays = Boolean(P.coveredBy(holidays, dateAhead(now, 0)));
    const known = Boolean(todays && "ends" in todays.dataset);
    const ends = known && todays.dataset[inHolidays ? "endsInHolidays" : "ends"];
    const runsToday = todays && (!known || ends) ? todays : null;
    const over = known && runsToday && ends <= now.time;
    if (current) {
      const days = ahead(current);
      const overToday = !days && over && !today ? " Today's sessions are over." : "";
      note.replaceChildren((!days ? `Today, ${dayDate(0)}.` : days === 1
        ? `Tomorrow, ${dayDate(1)}.` : `Next on ${dayDate(days)}.`) + closedThen(days) +
        overToday, ...(!days && (today || over) ? nextLink() : []));
    } else if (today) {
      note.replaceChildren(`Today is ${dayDate(0)}, and every centre is closed today ` +
        `(${today[2]}).`, ...nextLink());
    } else if (over) {
      note.replaceChildren(`Today is ${dayDate(0)}, and today's sessions are over.`,
                           ...nextLink());
    } else if (runsToday) {
      note.replaceChildren(`Today is ${dayDate(0)}: `, Object.assign(
        document.createElement("a"), { href: todays.href, textContent: "today's sessions" }), ".");
    } else {
      note.replaceChildren(`Today is ${dayDate(0)}, and the centres run no sessions today.`,
                           ...nextLink());
    }
    note.hidden = false;
  };

  const markDays = () => {
    const now = P.ukNow();
    markClosedSessions(now);
    markToday(now);
  };
  markDays();
  P.everyMinute(markDays);

  const form = document.querySelector("[data-whats-on-filter]");
  if (!form) return;
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
  // Tuesday (a browser's location as kept by this tab: see places.js)
  const dayLinks = [...document.querySelectorAll(".day-nav a")];
  const keepChoices = () => {
    for (const link of dayLinks) {
      const url = new URL(link.href);
      url.search = location.search;
      url.hash = P.placeInAddress() ? location.hash : "";
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
      P.writeAddress(query, state.typed, P.isLocation(state.place));
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
