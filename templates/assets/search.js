/* Site search: Pagefind's index (made at build time) searched in the browser, with our own
   small, accessible results list (Pagefind's ready-made UI is larger than a page may be). */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var section = form.querySelector("select[name=section]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var nojs = document.querySelector("[data-search-nojs]");
  var more = document.querySelector("[data-search-more]");
  var pagefind = null;
  if (nojs) nojs.hidden = true;
  form.hidden = false; /* (hidden without JavaScript, which it needs: the lists are shown) */

  /* A large site's index comes in shards (bundles of news items, of centres): merged into the main one. */
  function engine() {
    if (!pagefind) {
      var base = form.getAttribute("data-pagefind-base");
      var shards = (form.getAttribute("data-pagefind-merge") || "").split(" ").filter(Boolean);
      pagefind = import(form.getAttribute("data-pagefind")).then(function (module) {
        return module.options({ excerptLength: 24, baseUrl: base }).then(function () {
          return Promise.all(shards.map(function (shard) {
            return module.mergeIndex(shard, { baseUrl: base });
          }));
        }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  /* Results are shown PAGE at a time (each shown asks the server for its excerpt), with
     "Show more results" for the rest; the count is of every result found. */
  var PAGE = 20;
  var found = [];  /* this search's results, as Pagefind gives them */
  var shown = 0;
  var current = 0;  /* which search is on the page: a slower, older one must not add to it */

  function resultItem(data) {
    var item = document.createElement("li");
    item.className = "item-list__item";
    var heading = document.createElement("h2");
    heading.className = "item-list__title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (data.filters && data.filters.section) {
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = data.filters.section.join(", ");
      item.appendChild(meta);
    }
    var excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt;  /* Pagefind escapes page text; adds only <mark> */
    item.appendChild(excerpt);
    return item;
  }

  /* the next PAGE results added to the list; resolves to the first one's link (null when
     a newer search has taken the page meanwhile) */
  function showNext() {
    var search = current;
    return Promise.all(found.slice(shown, shown + PAGE).map(function (r) { return r.data(); }))
      .then(function (results) {
        if (search !== current) return null;
        var items = results.map(resultItem);
        items.forEach(function (item) { list.appendChild(item); });
        shown += items.length;
        more.hidden = shown >= found.length;
        return items.length ? items[0].querySelector("a") : null;
      });
  }

  /* words that say nothing of what is looked for (see `run`) */
  var LITTLE_WORDS = ["a", "an", "the", "my", "your", "our", "their", "his", "her", "its",
    "i", "me", "we", "us", "you", "to", "of", "for", "in", "on", "at", "by", "with", "from",
    "and", "or", "is", "are", "be", "can", "could", "do", "does", "how", "what", "where",
    "when", "who", "which", "there", "any", "some"];

  function counted(query) {
    var where = section.value ? " in " + section.value : "";
    return (found.length === 1 ? "1 result" : found.length + " results") +
      " for \u201c" + query + "\u201d" + where;
  }

  function run(event) {
    if (event) event.preventDefault();
    var query = input.value.trim();
    var search = ++current;
    list.textContent = "";
    more.hidden = true;
    if (!query) { status.textContent = "Type what you are looking for."; return; }
    var params = new URLSearchParams({ q: query });
    if (section.value) params.set("section", section.value);
    history.replaceState(null, "", "?" + params.toString());
    status.textContent = "Searching\u2026";
    var filters = section.value ? { section: section.value } : {};
    engine().then(function (module) {
      /* nothing for a question ("where can I weigh my baby"): asked again without its
         little words ("weigh baby"), every word of which a page must hold; then two
         words a parent may write apart ("breast feeding") as one ("breastfeeding",
         which the pages say); each said so (a parent's review). Longer runs of words
         are never joined: Pagefind finds something for any long made-up word */
      var tries = [query];
      var words = query.split(/\s+/).filter(function (w) {
        return LITTLE_WORDS.indexOf(w.toLowerCase()) < 0;
      });
      if (words.length && words.length < query.split(/\s+/).length) tries.push(words.join(" "));
      if (words.length === 2) tries.push(words.join(""));
      function ask(index) {
        return module.search(tries[index], { filters: filters }).then(function (result) {
          if (result.results.length || index === tries.length - 1) {
            return { result: result, asked: result.results.length ? tries[index] : query };
          }
          return ask(index + 1);
        });
      }
      return ask(0);
    }).then(function (answer) {
      if (search !== current) return;
      found = answer.result.results;
      shown = 0;
      return showNext().then(function () {
        if (search !== current) return;
        status.textContent = counted(answer.asked) + (answer.asked === query ? "" :
          " (nothing was found for \u201c" + query + "\u201d)");
      });
    }).catch(function () { status.textContent = "Search is not available at the moment."; });
  }

  /* the new results' first link takes the focus: where the reader carries on from */
  more.querySelector("button").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    showNext().then(function (first) {
      button.disabled = false;
      if (first) first.focus();
    }).catch(function () {
      button.disabled = false;
      status.textContent = "More results could not be loaded. Please try again.";
    });
  });
  form.addEventListener("submit", run);
  var params = new URLSearchParams(location.search);
  if (params.get("section")) section.value = params.get("section");
  if (params.get("q")) { input.value = params.get("q"); run(); }
})();
