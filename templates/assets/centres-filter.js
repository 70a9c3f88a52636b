// Centres directory filter: shows the (hidden) filter form and shows or hides centre
// cards by district and services. Without JavaScript the page lists everything.
// Preselect with ?district=Watford&service=health (service may repeat).
(() => {
  const form = document.querySelector("[data-centre-filter]");
  if (!form) return;
  const select = form.elements.district;
  const boxes = [...form.querySelectorAll("input[name=service]")];
  const status = form.querySelector("[data-filter-status]");
  const groups = [...document.querySelectorAll("[data-district-group]")];
  const params = new URLSearchParams(location.search);
  const district = (params.get("district") || "").toLowerCase();
  const services = params.getAll("service").flatMap((s) => s.split(","));

  for (const option of select.options) {
    if (option.value && (option.value.toLowerCase() === district ||
                         option.dataset.slug === district)) select.value = option.value;
  }
  for (const box of boxes) box.checked = services.includes(box.value);

  const apply = (updateUrl) => {
    const chosen = select.value;
    const needed = boxes.filter((b) => b.checked).map((b) => b.value);
    let shown = 0;
    for (const group of groups) {
      let count = 0;
      for (const card of group.querySelectorAll("[data-services]")) {
        const offers = card.dataset.services.split(" ");
        const match = (!chosen || card.dataset.district === chosen) &&
          needed.every((s) => offers.includes(s));
        card.hidden = !match;
        if (match) count++;
      }
      group.hidden = count === 0;
      shown += count;
    }
    status.textContent = `${shown} ${shown === 1 ? "centre" : "centres"} shown` +
      (shown ? "" : ": try another district or fewer services");
    if (updateUrl) {
      const query = new URLSearchParams();
      if (chosen) query.set("district", chosen);
      for (const s of needed) query.append("service", s);
      const search = query.toString();
      history.replaceState(null, "", search ? `?${search}` : location.pathname);
    }
  };

  form.addEventListener("change", () => apply(true));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(true);
  });
  form.querySelector("[data-filter-clear]").addEventListener("click", () => {
    select.value = "";
    for (const box of boxes) box.checked = false;
    apply(true);
  });
  form.hidden = false;
  apply(false);
})();
