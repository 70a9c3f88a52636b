// The main menu on a small screen: one "Menu" button (a disclosure: aria-expanded says
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
