/* ccsite's part of the web editor (/admin/), loaded before Decap CMS.
 *
 * - Sends the preview server's token with every request to the editor's API (local
 *   editing: the token is in the page's <meta name="ccsite-token">; the server answers no
 *   request to /admin/api/v1 without it).
 * - Shows why a save was refused: the validator's messages, one per line, in a panel that
 *   stays until it is closed or the next save works (Decap's own notice goes after 8 s).
 * - Gives the preview pane the site's own stylesheet.
 * - Lists the fields the form itself refuses when "Publish now" is pressed, and takes
 *   the editor to the first.
 * - Says what to do when a save or a deletion gets no answer (the preview server stopped).
 * - Warns, at the foot of the page, a computer whose clock is not set to UK time.
 * - Names Decap's controls that a screen reader could not (a list item's buttons...).
 * - Notes which version of each file the page read, and sends it with a save: the
 *   server refuses a save of a file changed since (in another tab, or a text editor),
 *   which would otherwise undo that change without a word.
 */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="ccsite-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  var api = new URL("api/v1", document.baseURI).href;
  var original = window.fetch.bind(window);

  function urlOf(input) {
    var url = typeof input === "string" ? input : (input && input.url) || String(input);
    return new URL(url, document.baseURI).href;
  }

  window.fetch = function (input, init) {
    if (!token || urlOf(input) !== api) {
      return original(input, init);
    }
    init = Object.assign({}, init || {});
    var headers = new Headers(init.headers || (typeof input === "string" ? {} : input.headers));
    headers.set("X-Ccsite-Token", token);
    init.headers = headers;
    var action = "";
    try {
      var request = JSON.parse(init.body);
      action = request.action || "";
      if (action === "persistEntry" && request.params) {
        request.params.loaded = versionsOf(request.params);
        init.body = JSON.stringify(request);
      }
    } catch (ignored) { /* not JSON: the server says so */ }
    return original(input, init).then(function (response) {
      if (response.ok && /^(entriesBy|getEntry|persistEntry)/.test(action)) {
        response.clone().json().then(noteVersions, function () {});
      }
      if (/^(persist|delete)/.test(action)) {
        if (response.ok) {
          savedAt = Date.now();
          clearMistakes();
          response.clone().json().then(function (answer) {
            if (answer && answer.warnings && answer.warnings.length) {
              showPanel(answer.warnings, "Saved. Something to check", "The site shows " +
                "this as it is saved; change it in the form if it is not what you meant.",
                false);
            }
          }, function () {});
        } else {
          var status = response.status;
          response.clone().json().then(function (answer) { showMistakes(answer, status); },
            function () { showMistakes(null, status); });
        }
      }
      return response;
    }, function (error) {
      if (/^(persist|delete)/.test(action)) {  // no answer at all: Decap's own notice
        // ("Failed to fetch") is gone in 8 s, and says nothing of what to do
        showPanel(["The preview server did not answer: it may have been stopped, or this " +
          "computer may have lost its connection to it. Check that `ccsite serve` is still " +
          "running (start it again if it stopped), then " + (/^delete/.test(action) ?
          "delete again." : "press Publish again: what you typed is still in the form.")],
          /^delete/.test(action) ? "Not deleted" : "Not saved", "Nothing was written.", true);
      }
      throw error;
    });
  };

  /* The id (a digest of its bytes) of each file as the page last read or saved it. */
  var versions = {};

  function noteVersions(answer) {
    if (answer && answer.files && !Array.isArray(answer.files)) {  // a save's
      Object.keys(answer.files).forEach(function (path) {
        versions[path] = answer.files[path];
      });
      return;
    }
    (Array.isArray(answer) ? answer : [answer]).forEach(function (entry) {
      if (entry && entry.file && entry.file.path) {
        versions[entry.file.path] = entry.file.id;
      }
    });
  }

  function versionsOf(params) {
    var files = params.dataFiles || (params.entry ? [params.entry] : []);
    var loaded = {};
    files.forEach(function (file) {
      if (file && typeof versions[file.path] === "string") {
        loaded[file.path] = versions[file.path];
      }
    });
    return loaded;
  }

  var panel = null;

  function clearMistakes() {
    if (panel) {
      panel.remove();
      panel = null;
    }
  }

  /* What a refused save says: the validator's mistakes (422 with `errors`), or why the
     server would not take it at all (too large, the preview server restarted...). */
  var REFUSED = {
    413: "The file is too large to upload here (the limit is about 48 MB). Make it smaller, " +
      "or put it on another site and link to it.",
    403: "This page was opened from another preview server than the one running now " +
      "(another site's, or one whose cache folder was deleted since). Copy what you typed, " +
      "reload the page, and save again."
  };

  function showMistakes(answer, status) {
    var mistakes = answer && (answer.said || answer.errors);  // (the form's words first)
    var lines = mistakes || [REFUSED[status] || (answer && answer.error) ||
      "The save failed (the preview server answered " + status + ")."];  // (ours first:
    // the server's words for these are for developers)
    var deleting = answer && answer.deleting;  // a deletion refused: what names it
    showPanel(lines, deleting ? "Not deleted: " + (deleting.length === 1 ? "another file " +
      "names it" : deleting.length + " other files name it") : mistakes ?
      "Not saved: the site would not build with this change" : "Not saved",
      deleting ? "Take it out of " + (deleting.length === 1 ? "that file" :
      "each of them") + " first (open it in the editor), then delete it again. Each line " +
      "says which item names it, and where; nothing was deleted." :
      mistakes ? "Each line names the field and what to change (a line that names " +
      "another file is about that file). Fix it in the form and save again; nothing was " +
      "written." : "Nothing was written.", true);
  }

  /* A panel at the foot of the page: mistakes (`alert`: red, read out at once), or
     warnings of a save that was made (a status: amber). It takes at most a third of
     the screen and scrolls, so the form above stays in reach on a phone. */
  function showPanel(lines, heading, helpText, alert) {
    clearMistakes();
    panel = document.createElement("section");
    panel.id = "ccsite-mistakes";
    panel.setAttribute("role", alert ? "alert" : "status");
    panel.setAttribute("aria-labelledby", "ccsite-mistakes-title");
    Object.assign(panel.style, {
      position: "fixed", left: "1rem", right: "1rem", bottom: "1rem", zIndex: "100000",
      maxHeight: "33vh", overflow: "auto", padding: "1rem 1.25rem",
      background: "#fff", color: "#0b0c0c", border: "4px solid " + (alert ? "#d4351c" : "#f47738"),
      font: "16px/1.4 system-ui, sans-serif", boxShadow: "0 2px 12px rgba(0,0,0,.3)"
    });
    var title = document.createElement("h2");
    title.id = "ccsite-mistakes-title";
    title.textContent = heading;
    Object.assign(title.style, { margin: "0 0 .5rem", fontSize: "1.1rem" });
    var help = document.createElement("p");
    help.textContent = helpText;
    help.style.margin = "0 0 .5rem";
    var list = document.createElement("ul");
    list.style.margin = "0";
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      item.style.whiteSpace = "pre-wrap";
      list.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.style.marginTop = ".75rem";
    close.addEventListener("click", clearMistakes);
    panel.append(title, help, list, close);
    document.body.appendChild(panel);
  }

  /* A field the form itself refuses (a postcode that is not one, a required field left
     empty) stopped "Publish now" with no word where an editor looks: Decap marks the
     field, which may be screens away, and says nothing of a pattern (an editor's
     review). When fields are marked just after "Publish now", each is listed in the
     panel, by its label and the labels of what holds it ("Address: Postcode..."), an
     item of a list by its place and its summary ("Sessions, the 2nd (Parents'
     drop-in): Starts...", as the validator's messages count: "Sessions: Starts" did not
     say which of 12), and the first is brought into view with the focus in it. */
  var publishedAt = 0;
  function notePublish(event) {
    var item = event.target && event.target.closest && event.target.closest("[role=menuitem], li, button");
    if (item && /^\s*Publish (now|and create new|and duplicate)\s*$/.test(item.textContent || "")) {
      publishedAt = Date.now();
    }
  }
  document.addEventListener("click", notePublish, true);
  // from the keyboard too: Decap's menu takes Enter and Space on its items without a
  // click, and the panel never came (an editor's review)
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      notePublish(event);
    }
  }, true);

  var LIST_ITEM = "[class*='-ListItem']";  // (not its "-StyledListItemTopBar")

  function ordinal(number) {
    var tens = number % 100, units = number % 10;
    return number + (tens >= 10 && tens <= 20 ? "th" : units === 1 ? "st" : units === 2 ?
      "nd" : units === 3 ? "rd" : "th");
  }

  /* ", the 2nd (Parents' drop-in)": an item of Decap's list widget by its place among
     the list's items (counted from 1) and the summary its collapsed bar shows. */
  function placeOf(item) {
    var said = itemSaid(item);
    return ", the " + said.place + (said.words ? " (" + said.words + ")" : "");
  }

  /* {place: "2nd", words: "Parents' drop-in" or ""}: see `placeOf`. */
  function itemSaid(item) {
    var place = 1;
    for (var before = item.previousElementSibling; before;
         before = before.previousElementSibling) {
      if (before.matches(LIST_ITEM)) {
        place += 1;
      }
    }
    var summary = item.querySelector("[class*='-NestedObjectLabel']");
    var words = summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
    if (/^No [a-z_]+$/.test(words) || /^(List|Map|OrderedMap) [\[{]/.test(words)) {
      words = "";  // Decap's for an empty one ("No title": a name), or for a list that
      // has no summary and begins with a list ('List [ "fri" ]': opening hours)
    } else if (words.length > 60) {
      words = words.slice(0, 57).trim() + "\u2026";
    }
    return { place: ordinal(place), words: words };
  }

  /* Decap's own controls that a screen reader could not name (an editor's review): each
     list item's buttons (which said only "button": one of them removes the item), its
     handle for moving it, the Markdown fields (their label points at nothing), and the
     "Now" buttons, which said the stored field's name ("Set opening_date to now"). Named
     from the form's labels, as each is drawn. */
  function labelOf(container) {
    var label = container && container.querySelector("label");
    return label ? label.textContent.replace(/\s*\(optional\)\s*$/i, "").trim() : "";
  }

  function nameControls() {
    Array.prototype.forEach.call(document.querySelectorAll(
      "[class*='-StyledListItemTopBar']"), function (bar) {
      var item = bar.closest(LIST_ITEM);
      if (!item) {
        return;
      }
      // "Sessions, the 2nd (Parents' drop-in)", as the panel of fields to change says it
      var what = (labelOf(item.parentElement.closest("[class*='-ControlContainer']")) ||
        "Item") + placeOf(item);
      var handle = bar.querySelector("[aria-roledescription=sortable]");
      var buttons = Array.prototype.filter.call(bar.querySelectorAll("button"),
        function (button) { return !handle || !handle.contains(button); });
      buttons.forEach(function (button) {  // (before the handle: show or hide; after: remove)
        var after = handle && (handle.compareDocumentPosition(button) &
          Node.DOCUMENT_POSITION_FOLLOWING);
        var name = (after || (!handle && button === buttons[buttons.length - 1] &&
          buttons.length > 1) ? "Remove " : "Show or hide ") + what;
        if (button.getAttribute("aria-label") !== name) {
          button.setAttribute("aria-label", name);
        }
      });
      var moving = "Move " + what;
      if (handle && handle.getAttribute("aria-label") !== moving) {
        handle.setAttribute("aria-label", moving);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("label[for]"), function (label) {
      if (document.getElementById(label.htmlFor)) {
        return;
      }
      var container = label.closest("[class*='-ControlContainer']");
      var editable = container && container.querySelector("[contenteditable=true]");
      var name = labelOf(container);
      if (editable && name && editable.getAttribute("aria-label") !== name) {
        editable.setAttribute("aria-label", name);
      }
    });
    // the Markdown toolbar's menus (a button in a button: the outer one had no name),
    // and its switch between rich text and Markdown
    Array.prototype.forEach.call(document.querySelectorAll("span[role=button]"),
      function (menu) {
        var inner = menu.querySelector("button[title]");
        if (inner && !menu.getAttribute("aria-label")) {
          menu.setAttribute("aria-label", inner.getAttribute("title"));
        }
      });
    Array.prototype.forEach.call(document.querySelectorAll(
      "[class*='-ToolbarToggle'] button[role=switch]"), function (toggle) {
      if (!toggle.getAttribute("aria-label")) {
        toggle.setAttribute("aria-label", "Show the text as Markdown");
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("button[aria-label$=' to now'], " +
      "button[title$=' to now']"), function (button) {
      var name = labelOf(button.closest("[class*='-ControlContainer']"));
      var said = name && "Set " + name + " to now";
      if (said && button.getAttribute("aria-label") !== said) {
        button.setAttribute("aria-label", said);
        button.setAttribute("title", said);
      }
    });
  }

  var naming = null;
  new MutationObserver(function () {
    if (!naming) {
      naming = setTimeout(function () { naming = null; nameControls(); }, 50);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  function labelsOf(errors) {
    var said = [];
    var place = "";  // of the list item met on the way out, for the list's label
    for (var at = errors; at; at = at.parentElement) {
      if (at.matches(LIST_ITEM)) {
        place = placeOf(at);
      } else if (at.matches("[class*='-ControlContainer']")) {
        var label = at.querySelector("label");
        if (label && label.textContent.trim()) {
          said.unshift(label.textContent.replace(/\s*\(optional\)\s*$/i, "").trim() +
            place);
        }
        place = "";
      }
    }
    return said.slice(0, -1);  // (the field's own label begins Decap's message)
  }

  var looking = null;
  new MutationObserver(function () {
    if (looking || Date.now() - publishedAt > 3000) {
      return;
    }
    looking = setTimeout(function () {
      looking = null;
      var marked = Array.prototype.filter.call(
        document.querySelectorAll("[class*='-ControlErrorsList']"),
        function (list) { return list.textContent.trim(); });
      if (!marked.length) {
        return;
      }
      publishedAt = 0;  // (told once a press)
      var lines = [];
      marked.forEach(function (list) {
        var within = labelsOf(list);
        Array.prototype.forEach.call(list.querySelectorAll("li"), function (item) {
          lines.push((within.length ? within.join(": ") + ": " : "") + item.textContent.trim());
        });
      });
      showPanel(lines, "Not saved: " + (lines.length === 1 ? "a field needs" :
        lines.length + " fields need") + " changing", "The form marks each in red; the " +
        "first is shown now. Change it, then publish again; nothing was written.", true);
      var control = marked[0].closest("[class*='-ControlContainer']") || marked[0];
      control.scrollIntoView({ block: "center" });
      var input = control.querySelector("input, textarea, select, [contenteditable=true]");
      if (input) {
        input.focus({ preventScroll: true });
      }
    }, 150);
  }).observe(document.documentElement, { childList: true, subtree: true });

  /* On a phone, the form is the page: Decap's toolbar and editor are 800 px wide at the
     least, and its preview takes half of what is left, so Publish and Delete were off
     the screen. Below 800 px they fit the screen (the toolbar wraps) and the preview is
     left out; its button still opens the page itself ("View Live"). */
  var narrow = document.createElement("style");
  narrow.textContent = "@media (max-width: 799px) {" +
    " [class*='-ToolbarContainer'], [class*='-EditorContainer'] { min-width: 0 !important; }" +
    " [class*='-ToolbarContainer'] { height: auto !important; min-height: 66px;" +
    " flex-wrap: wrap; padding: 4px 0; }" +
    " [class*='-EditorContainer'] { padding-top: 0 !important; }" +
    " [class*='-ToolbarContainer'] { position: relative !important; }" +
    " [class*='-StyledSplitPane'] .Pane1 { width: 100% !important; flex: 1 1 auto !important; }" +
    " [class*='-StyledSplitPane'] .Pane2, [class*='-StyledSplitPane'] .Resizer" +
    " { display: none !important; }" +
    /* a date-time's "Now" and "Clear" under its box, not cut off past the screen's edge
       in a list's item (an editor's review) */
    " [class*='-DateTimeControl'] { flex-wrap: wrap; row-gap: 8px; } }" +
    /* where the keyboard is, always seen: Decap's entries list showed nothing on the
       entry focused (an editor's review); the site's own colours, drawn inside the
       element, where a list's card that hides what overflows it cannot cut it off */
    " a:focus-visible, button:focus-visible, [role=button]:focus-visible," +
    " [tabindex]:focus-visible { outline: 3px solid #0b0c0c !important;" +
    " outline-offset: -3px !important; box-shadow: inset 0 0 0 7px #ffdd00 !important; }";
  document.head.appendChild(narrow);

  /* An entry opened from another by its address (a bookmark, a link pasted into the
     address bar) while the first had unsaved changes: Decap asks whether to leave, and
     then fills the second one's form with the first one's fields (decap-cms#4147), so
     that a save would write another entry's title over it (an editor's review). Once
     the address has moved from one entry to another, the page is loaded afresh, and
     the form holds the file as it is. Decap's "leave this page?" has been asked and
     answered by then: the browser's own is not asked again. */
  var ENTRY = /^#\/collections\/([^/]+)\/entries\/./;
  var NEW = /^#\/collections\/([^/]+)\/new$/;
  var shown = location.hash;
  var reloading = false;
  var refusedAt = -1;  /* when the editor last answered "stay" to Decap's question */
  var savedAt = -1;  /* when a save last worked: Decap then moves a new entry to its own */
  var ask = window.confirm.bind(window);
  window.confirm = function (question) {
    var answer = ask(question);
    if (!answer) refusedAt = Date.now();
    return answer;
  };
  window.addEventListener("hashchange", function () {
    var from = shown;
    var changedAt = Date.now();
    setTimeout(function () {  /* after Decap's question, if it asked one */
      var now = location.hash;
      shown = now;
      if (refusedAt >= changedAt || from === now || !ENTRY.test(now)) return;  /* stayed:
        the form keeps what was typed (Decap leaves the new address showing) */
      var fromNew = NEW.exec(from);
      if (ENTRY.test(from) || (fromNew && !(savedAt >= changedAt - 5000 &&
                                            fromNew[1] === ENTRY.exec(now)[1]))) {
        reloading = true;
        location.reload();
      }
    }, 0);
  });
  window.addEventListener("beforeunload", function (event) {
    if (reloading) {
      event.stopImmediatePropagation();
    }
  }, true);

  /* The preview pane: each field by its label, its value as the site says it (a choice
     by its name, a date in UK words, Yes or No), the text as it reads. Decap's own
     listed the values as stored, unlabelled: "open", "sunflower-day-nurseries",
     "2027-07-29T12:00:00+01:00" (an editor's review). */
  var LONG_DATE = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London",
    day: "numeric", month: "long", year: "numeric" });
  var TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London",
    hour: "numeric", minute: "2-digit", hour12: true });

  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  function said(field, value) {
    var widget = field.widget;
    if (value === undefined || value === null || value === "" ||
        (Array.isArray(value) && !value.length)) {
      return null;
    }
    if (widget === "boolean") return value ? "Yes" : "No";
    if (widget === "select") {
      var names = {};
      (field.options || []).forEach(function (option) {
        if (option && typeof option === "object") names[option.value] = option.label;
      });
      return [].concat(value).map(function (each) { return names[each] || each; }).join(", ");
    }
    if (widget === "datetime") {
      if (/^\d{4}-\d\d-\d\d$/.test(value)) {  /* a day: no time, no zone */
        return LONG_DATE.format(new Date(value + "T12:00:00Z"));
      }
      var moment = new Date(value);
      if (isNaN(moment)) return String(value);
      var clock = TIME.format(moment).replace(/\s/g, "").replace(":00", "")
        .replace(/^12pm$/, "midday").replace(/^12am$/, "midnight");
      return clock + " on " + LONG_DATE.format(moment) + " (UK time)";
    }
    if (widget === "number" && typeof value === "number") {
      return (/pounds/i.test(field.label) ? "\u00a3" : "") + value.toLocaleString("en-GB");
    }
    return Array.isArray(value) ? value.join(", ") : String(value);
  }

  /* a relation's value (a file's name) as the form shows it: the entry's name, where Decap
     has it (what the relation's list read), else the file's name */
  function named(field, value, meta) {
    try {
      var entry = meta && meta.getIn([field.name, field.collection, value]);
      var shown = entry && entry.get((field.search_fields || [])[0]);
      if (shown) return String(shown);
    } catch (ignored) { /* not as Decap keeps it: the file's name */ }
    return null;
  }

  function rows(fields, data, props) {
    var h = window.h;
    var items = [];
    fields.forEach(function (field) {
      var value = data ? data[field.name] : undefined;
      if (field.widget === "hidden" || field.widget === "markdown") return;
      var shown;
      if (field.widget === "object" && value) {
        shown = h("dl", { className: "ccsite-preview__part" }, rows(field.fields || [], value,
                                                                     props));
      } else if (field.widget === "list" && field.fields && Array.isArray(value) && value.length) {
        shown = h("ol", null, value.map(function (item, index) {
          return h("li", { key: index }, h("dl", { className: "ccsite-preview__part" },
            rows(field.fields, item, props)));
        }));
      } else if (field.widget === "relation" && props) {
        shown = [].concat(value || []).map(function (each) {
          return named(field, each, props.fieldsMetaData) || each;
        }).join(", ") || null;
      } else {
        shown = said(field, value);
      }
      if (shown === null || shown === undefined) return;
      items.push(h("dt", { key: field.name + "-label" }, field.label),
                 h("dd", { key: field.name }, shown));
    });
    return items;
  }

  var Preview = function () {
    return window.createClass({
      render: function () {
        var h = window.h;
        var fields = plain(this.props.fields) || [];
        var data = plain(this.props.entry.get("data")) || {};
        var text = fields.filter(function (field) { return field.widget === "markdown"; });
        return h("main", { className: "page ccsite-preview" },
          h("dl", { className: "summary-list" }, rows(fields, data, this.props)),
          text.map(function (field) {
            return h("section", { key: field.name }, h("h2", null, field.label),
                     this.props.widgetFor(field.name));
          }, this));
      }
    });
  };

  /* Decap's date-time picker shows and takes times in the computer's own zone. The
     server keeps the clock time picked as UK time (editor/merge.py), but a time already
     in a file is shown in that zone: on a computer set to UTC, a summer deadline of
     09:00 showed as 08:00, and a change to its day kept 08:00 (an editor's review).
     Such a computer is told so, at the top of every form, before any time is changed. */
  var UK_ZONE = "Europe/London";

  function offsetIn(zone, when) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(when).forEach(function (part) { parts[part.type] = part.value; });
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute) -
      Math.floor(when.getTime() / 60000) * 60000;
  }

  function notInUkTime() {
    var now = new Date();
    var later = new Date(now.getTime() + 182 * 86400000);  // (the other season)
    return [now, later].some(function (when) {
      return offsetIn(UK_ZONE, when) !== -when.getTimezoneOffset() * 60000;
    });
  }

  function warnOfTheClock() {
    if (!notInUkTime() || document.getElementById("ccsite-clock")) {
      return;
    }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "another time zone";
    var note = document.createElement("section");
    note.id = "ccsite-clock";
    note.setAttribute("role", "status");
    note.setAttribute("aria-label", "Time zone");
    var words = document.createElement("p");
    words.textContent = "This computer's clock is set to " + zone + ", not UK time: the " +
      "times in the forms (opening times, deadlines, events) are shown in " + zone +
      ", not as the site shows them. Set the computer to UK time (London) before you " +
      "change a time.";
    words.style.margin = "0 0 .5rem";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { note.remove(); });
    note.append(words, close);
    // at the foot, where it hides none of Decap's buttons (a refused save's panel, when
    // there is one, goes over it)
    Object.assign(note.style, {
      position: "fixed", bottom: "0", left: "0", right: "0", zIndex: "99999",
      padding: ".5rem 1rem", background: "#ffdd00", color: "#0b0c0c",
      font: "16px/1.4 system-ui, sans-serif", borderTop: "2px solid #0b0c0c"
    });
    document.body.appendChild(note);
  }

  document.addEventListener("DOMContentLoaded", function () {
    warnOfTheClock();
    if (window.CMS) {
      window.CMS.registerPreviewStyle(new URL("../assets/style.css", document.baseURI).href);
      window.CMS.registerPreviewStyle(".ccsite-preview { padding: 1rem 1.5rem; }" +
        " .ccsite-preview dt { font-weight: 700; margin-top: .6em; }" +
        " .ccsite-preview dd { margin: 0 0 0 1em; }", { raw: true });
      var named = document.querySelector('meta[name="ccsite-collections"]');
      if (named && window.createClass && window.h) {
        named.getAttribute("content").split(" ").forEach(function (name) {
          window.CMS.registerPreviewTemplate(name, Preview());
        });
      }
    }
  });
})();
