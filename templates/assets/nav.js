// The page's own keyboard ways. The main menu on a small screen: one "Menu" button (a disclosure: aria-expanded says
// whether the links are shown) instead of four lines of links. Without JavaScript, and on
// wider screens, every link shows as it is (style.css: .site-nav--collapsible).
(() => {
  const nav = document.querySelector("[data-site-nav]");
  if (!nav) return;
  const button = nav.querySelector("[data-nav-toggle]");
  const set = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("site-nav--open", open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
  set(false);
  nav.classList.add("site-nav--collapsible");
  button.hidden = false;
})();

// A region that scrolls sideways (a wide table, the chart) is a tab stop, so that a
// keyboard can scroll it (WCAG 2.1.1); where it fits the screen, the stop had nothing to
// do (an accessibility specialist's review): it is one only while it scrolls.
(() => {
  // (watched for its size: a window turned or zoomed, a closed disclosure opened)
  const fit = (region) => {
    if (region.scrollWidth > region.clientWidth) region.setAttribute("tabindex", "0");
    else region.removeAttribute("tabindex");
  };
  const regions = document.querySelectorAll('[role="region"][tabindex="0"]');
  if (!regions.length || !window.ResizeObserver) return;
  const watch = new ResizeObserver((seen) => seen.forEach((entry) => fit(entry.target)));
  regions.forEach((region) => watch.observe(region));
  window.addEventListener("load", () => regions.forEach(fit)); // (fonts, pictures)
})();

// The home page's box for the centres nearest a place: what is typed goes to the centres
// page in the address's fragment (#near=WD19+7AD), which places.js reads there and a
// browser never sends to a server; nothing typed, the whole list. The centres page is
// told (sessionStorage) that a search was made, to take the focus to its result.
(() => {
  const form = document.querySelector("[data-near-form]");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = form.elements.near.value.trim();
    try { // the centres page tells its result as its own search does (places.js)
      if (typed) sessionStorage.setItem("ccsite-searched", typed);
    } catch (error) { /* storage refused: the list is sorted all the same */ }
    location.href = form.action + (typed ? `#${new URLSearchParams({ near: typed })}` : "");
  });
  form.hidden = false;
})();
