/* Members area: search (both protection modes) and, in encrypt mode, opening the
   encrypted section with the member's own passphrase. No libraries: WebCrypto does the
   cryptography (PBKDF2-HMAC-SHA256, AES-256-GCM), exactly as ccsite/members/protect.py. */
(function () {
  "use strict";
  var KEY_SLOT_AAD = "ccsite members content key v1";
  var BUNDLE_AAD = "ccsite members bundle v1";
  var utf8 = new TextEncoder();

  function bytes(b64) {
    var text = atob(b64), out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  function base64(data) {
    var text = "";
    for (var i = 0; i < data.length; i++) text += String.fromCharCode(data[i]);
    return btoa(text);
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  /* -- search ------------------------------------------------------------------------ */

  function startSearch(form, loadIndex) {
    var input = form.querySelector("input[type=search]");
    var status = document.querySelector("[data-members-search-status]");
    var list = document.querySelector("[data-members-search-results]");
    var index = null;
    form.hidden = false;
    function run(event) {
      if (event) event.preventDefault();
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) { status.textContent = ""; return; }
      (index ? Promise.resolve(index) : loadIndex()).then(function (entries) {
        index = entries;
        var found = entries.map(function (e) {
          var title = e.title.toLowerCase();
          var all = [title, e.summary, e.tags.join(" "), e.author, e.agency, e.text].join(" ").toLowerCase();
          if (!words.every(function (w) { return all.indexOf(w) >= 0; })) return null;
          var score = words.filter(function (w) { return title.indexOf(w) >= 0; }).length;
          return { entry: e, score: score };
        }).filter(Boolean).sort(function (a, b) {
          return b.score - a.score || (b.entry.date > a.entry.date ? 1 : -1);
        });
        found.forEach(function (hit) {
          var e = hit.entry, item = el("li", "", "item-list__item");
          var heading = el("h2", "", "item-list__title"), link = el("a", e.title);
          link.href = e.url;
          heading.appendChild(link);
          item.appendChild(heading);
          if (e.author) item.appendChild(el("p", "By " + e.author + (e.agency ? ", " + e.agency : ""), "meta"));
          if (e.summary) item.appendChild(el("p", e.summary));
          list.appendChild(item);
        });
        status.textContent = found.length + (found.length === 1 ? " result" : " results") +
          " for \u201c" + input.value.trim() + "\u201d";
        if (window.ccsiteMembersLinks) window.ccsiteMembersLinks(list);
      });
    }
    form.addEventListener("submit", run);
    var params = new URLSearchParams(location.search || (location.hash.split("?")[1] || ""));
    if (params.get("q")) { input.value = params.get("q"); run(); }
  }

  /* -- encrypt mode: open the section ------------------------------------------------ */

  function unwrapKey(passphrase, slot) {
    return crypto.subtle.importKey("raw", utf8.encode(passphrase), "PBKDF2", false, ["deriveKey"])
      .then(function (base) {
        return crypto.subtle.deriveKey(
          { name: "PBKDF2", hash: "SHA-256", salt: bytes(slot.salt), iterations: slot.iterations },
          base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      })
      .then(function (kek) {
        var wrapped = bytes(slot.wrapped);
        return crypto.subtle.decrypt({ name: "AES-GCM", iv: wrapped.slice(0, 12),
          additionalData: utf8.encode(KEY_SLOT_AAD) }, kek, wrapped.slice(12));
      })
      .then(function (raw) { return new Uint8Array(raw); });
  }

  function openSealed(rawKey, sealed, aad) {
    var data = new Uint8Array(sealed);
    if (String.fromCharCode(data[0], data[1], data[2], data[3]) !== "CCS1") {
      return Promise.reject(new Error("not encrypted by ccsite"));
    }
    return crypto.subtle.importKey("raw", rawKey, "AES-GCM", false, ["decrypt"]).then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: data.slice(4, 16),
        additionalData: utf8.encode(aad) }, key, data.slice(16));
    });
  }

  function startShell(shell) {
    var root = shell.getAttribute("data-root");
    var storageKey = "ccsite-members-key:" + root;
    var form = shell.querySelector("[data-members-unlock]");
    var error = shell.querySelector("[data-members-error]");
    var status = shell.querySelector("[data-members-status]");
    var main = document.getElementById("main");
    var bundle = null, rawKey = null, current = null;

    function fetchBytes(url) {
      return fetch(url, { cache: "no-store" }).then(function (r) {
        if (!r.ok) throw new Error("could not fetch " + url);
        return r.arrayBuffer();
      });
    }
    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      error.setAttribute("tabindex", "-1");
      error.focus();
    }
    function open(key) {
      return fetchBytes(shell.getAttribute("data-bundle")).then(function (sealed) {
        return openSealed(key, sealed, BUNDLE_AAD);
      }).then(function (plain) {
        bundle = JSON.parse(new TextDecoder().decode(plain));
        rawKey = key;
        window.addEventListener("hashchange", function () {
          var wanted = route();  /* an in-page link (the skip link, "#posts") is left to the browser */
          if (wanted !== null && (wanted !== current || place())) show(true);
        });
        show(false);
      });
    }
    /* "#/good-practice/x/?q=a&at=id": the members page shown, then its query. null for a
       plain "#id", a place on the page already shown. */
    function route() {
      if (location.hash.indexOf("#/") === 0) return location.hash.slice(2).split("?")[0];
      return location.hash.length > 1 ? null : "";
    }
    function place() {
      var query = location.hash.indexOf("#/") === 0 ? location.hash.split("?")[1] : "";
      return query ? new URLSearchParams(query).get("at") : location.hash.slice(1);
    }
    function show(moveFocus) {
      var wanted = route();
      current = bundle.pages[root + (wanted || "")] ? (wanted || "") : "";
      var page = bundle.pages[root + current];
      main.innerHTML = page.main;
      document.title = page.title;
      links(main);
      var form = main.querySelector("[data-members-search]");
      if (form) startSearch(form, function () { return Promise.resolve(bundle.search); });
      var id = place(), target = id && document.getElementById(id);
      if (target) {
        target.scrollIntoView();
        if (moveFocus) { target.setAttribute("tabindex", "-1"); target.focus(); }
        return;
      }
      var heading = main.querySelector("h1");
      if (heading && moveFocus) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
    function links(scope) {
      scope.querySelectorAll("a[href]").forEach(function (a) {
        var parts = a.getAttribute("href").split("#"), href = parts[0], id = parts[1];
        if (bundle.media[href]) {
          a.addEventListener("click", function (event) { event.preventDefault(); download(href, a); });
        } else if (href.indexOf(root) === 0 && bundle.pages[href]) {
          var to = href.slice(root.length);
          a.setAttribute("href", id && to === current ? "#" + id
            : root + "#/" + to + (id ? "?at=" + encodeURIComponent(id) : ""));
        }
      });
      scope.querySelectorAll("img[src]").forEach(function (img) {
        var src = img.getAttribute("src");
        if (bundle.media[src]) {
          decryptFile(src).then(function (url) { img.src = url; });
        }
      });
    }
    window.ccsiteMembersLinks = links;
    function decryptFile(href) {
      var target = bundle.media[href];
      return fetchBytes(target).then(function (sealed) {
        return openSealed(rawKey, sealed, target.split("/").pop());
      }).then(function (plain) {
        return URL.createObjectURL(new Blob([plain]));
      });
    }
    function download(href, link) {
      decryptFile(href).then(function (url) {
        var save = document.createElement("a");
        save.href = url;
        save.download = href.split("/").pop();
        document.body.appendChild(save);
        save.click();
        save.remove();
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var passphrase = form.passphrase.value.trim().toLowerCase().split(/\s+/).join(" ");
      error.hidden = true;
      if (!passphrase) { showError("Enter your passphrase."); return; }
      status.textContent = "Opening the members area\u2026";
      fetch(shell.getAttribute("data-keys"), { cache: "no-store" }).then(function (r) { return r.json(); })
        .then(function (keys) {
          return Promise.any(keys.slots.map(function (slot) { return unwrapKey(passphrase, slot); }));
        })
        .then(function (key) {
          if (form.remember.checked) sessionStorage.setItem(storageKey, base64(key));
          return open(key);
        })
        .catch(function () {
          status.textContent = "";
          showError("That passphrase did not open the members area. Check the words and the " +
            "spaces between them, and try again. If it still does not work, ask the programme " +
            "team for a new passphrase.");
        });
    });
    var remembered = sessionStorage.getItem(storageKey);
    if (remembered) {
      open(bytes(remembered)).catch(function () {
        sessionStorage.removeItem(storageKey);  // the site was rebuilt with a new key
        form.hidden = false;
        status.textContent = "The members area has been updated. Please enter your passphrase again.";
      });
    } else {
      form.hidden = false;
    }
  }

  var shell = document.querySelector("[data-members-shell]");
  if (shell) {
    startShell(shell);
  } else {
    var form = document.querySelector("[data-members-search]");
    if (form) {
      startSearch(form, function () {
        return fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); });
      });
    }
  }
})();
