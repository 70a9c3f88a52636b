// What a page says that the clock changes: a page is made at the build and read at any
// time until the next one, so a deadline passes, a day ends, while it is up. The templates
// write each such part for every moment it can be read in, marked with when it is true
// (macros.html: `clock`, `closes_in`, `panel_clock`): data-clock-after (from then on),
// data-clock-until (until then), and a count of days in the template's own words
// (data-clock-days). This shows the parts true now, in UK time, and again at the next
// moment one changes, while the page stays open. Without it, the page says what was true
// at the build (the site is built again every night and every midday: README).
(() => {
  const parts = document.querySelectorAll("[data-clock-after], [data-clock-until], [data-clock-at]");
  if (!parts.length) return;
  const when = (element, name) => Date.parse(element.getAttribute(name));
  const ukDay = new Intl.DateTimeFormat("en-CA",
    { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" });
  // whole days between the UK days of two moments (each day parsed as midnight UTC, so a
  // clock change between them does not make a day of 23 or 25 hours count otherwise)
  const daysBetween = (from, to) =>
    Math.round((Date.parse(ukDay.format(to)) - Date.parse(ukDay.format(from))) / 86400000);

  const show = () => {
    const now = Date.now();
    let next = Infinity;
    const note = (moment) => { if (moment > now && moment < next) next = moment; };
    for (const element of parts) {
      const after = element.hasAttribute("data-clock-after") ? when(element, "data-clock-after") : -Infinity;
      const until = element.hasAttribute("data-clock-until") ? when(element, "data-clock-until") : Infinity;
      note(after);
      note(until);
      if (element.hasAttribute("data-clock-after") || element.hasAttribute("data-clock-until")) {
        element.hidden = !(now >= after && now < until);
      }
      if (element.hasAttribute("data-clock-days") && !element.hidden) {
        const [today, tomorrow, days] = element.getAttribute("data-clock-days").split("|");
        const left = daysBetween(now, until - 1);  // (a deadline at midnight: the day before)
        element.textContent = left <= 0 ? today : left === 1 ? tomorrow : days.replace("#", left);
      }
      if (element.hasAttribute("data-clock-at")) {  // a panel's colour: one for each
        // stretch of time, changed at each moment given
        const moments = element.getAttribute("data-clock-at").split(" ").map(Date.parse);
        const classes = element.getAttribute("data-clock-class").split(" ");
        moments.forEach(note);
        const passed = moments.filter((moment) => now >= moment).length;
        classes.forEach((name, index) => element.classList.toggle(name, index === passed));
      }
    }
    // a count of days changes at midnight in the UK, always a whole hour of UTC: looked at
    // again at each whole hour
    note(Math.ceil((now + 1) / 3600000) * 3600000);
    if (next - now < 2 ** 31 - 1) setTimeout(show, next - now + 1000);
  };
  show();
})();
