/* Members area: search (both protection modes) and, in encrypt mode, opening the
   encrypted section with the member's own passphrase, as ccsite/members/protect.py
   (open_key_slots) does it in Python. WebCrypto does PBKDF2, HKDF, AES-KW and AES-GCM;
   the P-256 arithmetic on a private key made from the passphrase, which WebCrypto cannot
   do from a bare scalar, is @noble/curves (assets/vendor/noble-curves.js, loaded before
   this file by the sign-in page as `ccsiteNoble`). */
(function () {
  "use strict";
  var SLOT_INFO = "ccsite members key slot v2";
  var BUNDLE_AAD = "ccsite members bundle v1";
  var MAGIC = "CCS2";
  /* protect.py (inert_file_references) renames an attribute naming a members file to
     this prefix + its name, so that the host is never asked for it in clear; these are
     the ones given back, as the decrypted file (any other stays inert) */
  var FILE_ATTRIBUTE = "data-members-file-", FILE_ADDRESSES = ["src", "href", "poster"];
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

  function concat(parts) {
    var out = new Uint8Array(parts.reduce(function (n, p) { return n + p.length; }, 0)), at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  /* The content key, as a CryptoKey that cannot be exported, or a rejection. One PBKDF2
     (the store's one salt), one P-256 multiplication for the member's public key and one
     for the shared secret with the build's ephemeral key, then the slot found by its id:
     the cost does not grow with the number of members, and the padding slots cost nothing.
     Resolves to { key, toKeep }: `toKeep`, asked for by "Keep me signed in", is a copy
     that can be exported, made only to be wrapped by keyKeeper, never used nor kept. */
  function contentKey(passphrase, keys, forKeeping) {
    var noble = window.ccsiteNoble, p256 = noble.p256, ephemeral = bytes(keys.ephemeral);
    return crypto.subtle.importKey("raw", utf8.encode(passphrase), "PBKDF2", false, ["deriveBits"])
      .then(function (base) {
        return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256",
          salt: bytes(keys.salt), iterations: keys.iterations }, base, 384);
      })
      .then(function (stretched) {
        var secret = noble.mapHashToField(new Uint8Array(stretched), p256.Point.Fn.ORDER);
        var own = p256.getPublicKey(secret, false);
        var shared = p256.getSharedSecret(secret, ephemeral, true).slice(1);  /* x, as ECDH gives */
        secret.fill(0);
        return crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveBits"]).then(function (ikm) {
          return crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0),
            info: concat([utf8.encode(SLOT_INFO), ephemeral, own]) }, ikm, 8 * (16 + 32));
        });
      })
      .then(function (derived) {
        derived = new Uint8Array(derived);
        var id = base64(derived.slice(0, 16));
        var slot = keys.slots.filter(function (s) { return s.id === id; })[0];
        if (!slot) throw new Error("no key slot for this passphrase");
        return crypto.subtle.importKey("raw", derived.slice(16), "AES-KW", false, ["unwrapKey"])
          .then(function (wrapping) {
            function unwrap(extractable) {
              return crypto.subtle.unwrapKey("raw", bytes(slot.key), wrapping, "AES-KW", "AES-GCM",
                extractable, ["decrypt"]);
            }
            return Promise.all([unwrap(false), forKeeping ? unwrap(true) : null]);
          })
          .then(function (both) { return { key: both[0], toKeep: both[1] }; });
      });
  }

  /* An encrypted file: MAGIC, nonce, then AES-GCM of (8-byte length, content, padding). */
  function openSealed(key, sealed, aad) {
    var data = new Uint8Array(sealed);
    if (String.fromCharCode(data[0], data[1], data[2], data[3]) !== MAGIC) {
      return Promise.reject(new Error("not encrypted by ccsite"));
    }
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: data.slice(4, 16),
      additionalData: utf8.encode(aad) }, key, data.slice(16)).then(function (framed) {
      var view = new DataView(framed);
      var length = view.getUint32(0) * 4294967296 + view.getUint32(4);
      return framed.slice(8, 8 + length);
    });
  }

  /* "Keep me signed in until I close the browser": the content key is kept in two halves,
     neither of which opens anything alone, and never as itself:
     - a wrapping key made here (AES-KW, not extractable) in IndexedDB, saved on disk;
     - the content key wrapped by it in a session cookie (path: the members area), which
       ends with the browser session, in every tab of it. Chromium writes cookies to disk
       encrypted with the computer account's key (where the system has a keystore) and
       deletes session ones when it next starts.
     Not the content key itself in IndexedDB: a CryptoKey is written to disk there with
     its raw bytes, extractable or not, and stays after the browser closes. Not
     sessionStorage for the second half: Chromium writes it to disk in clear too (both
     halves side by side on the disk), and it is one tab's, so a new tab would ask again.
     The cookie goes to the host only with the request for the members page itself (the
     area's files are fetched without it): random bytes that open nothing without the
     wrapping key, which never leaves the browser. A script of this site could use both
     while they are kept, which the checkbox's hint says. forget() is signing out; a
     visit after the browser closed finds no cookie and deletes the wrapping key. */
  function keyKeeper(root) {
    var DB = "ccsite-members", STORE = "keys", COOKIE = "ccsite-members-key";
    function inStore(mode, work) {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
        request.onerror = function () { reject(request.error); };
        request.onsuccess = function () {
          var db = request.result, tx = db.transaction(STORE, mode), result;
          var asked = work(tx.objectStore(STORE));
          asked.onsuccess = function () { result = asked.result; };
          tx.oncomplete = function () { db.close(); resolve(result); };
          tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        };
      });
    }
    function setCookie(value, ending) {
      document.cookie = COOKIE + "=" + value + "; path=" + root + "; SameSite=Strict" +
        (location.protocol === "https:" ? "; Secure" : "") + ending;  /* no expiry: a session cookie */
    }
    function cookie() {
      var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(COOKIE + "=") === 0; })[0];
      return found ? found.slice(COOKIE.length + 1) : "";
    }
    function forget() {
      setCookie("", "; max-age=0");
      return inStore("readwrite", function (store) { return store.delete(root); });
    }
    function nothing() { return forget().then(function () { return null; }); }
    return {
      keep: function (key) {
        return crypto.subtle.generateKey({ name: "AES-KW", length: 256 }, false, ["wrapKey", "unwrapKey"])
          .then(function (wrapping) {
            return crypto.subtle.wrapKey("raw", key, wrapping, "AES-KW").then(function (wrapped) {
              return inStore("readwrite", function (store) { return store.put(wrapping, root); })
                .then(function () { setCookie(base64(new Uint8Array(wrapped)), ""); });
            });
          });
      },
      recall: function () {
        var wrapped = cookie();
        if (!wrapped) return nothing();  /* a new session: a wrapping key left behind goes */
        return inStore("readonly", function (store) { return store.get(root); }).then(function (wrapping) {
          if (!wrapping) return nothing();
          return crypto.subtle.unwrapKey("raw", bytes(wrapped), wrapping, "AES-KW", "AES-GCM",
            false, ["decrypt"]).catch(nothing);
        });
      },
      forget: forget
    };
  }

  function startShell(shell) {
    var root = shell.getAttribute("data-root");
    var keeper = keyKeeper(root);
    var form = shell.querySelector("[data-members-unlock]");
    var error = shell.querySelector("[data-members-error]");
    var status = shell.querySelector("[data-members-status]");
    var main = document.getElementById("main");
    var bundle = null, sectionKey = null, current = null;
    var opened = {};  /* members file address -> its decrypted blob: URL, for the page shown */

    function fetchBytes(url) {
      return fetch(url, { cache: "no-store", credentials: "omit" }).then(function (r) {
        if (!r.ok) throw new Error("could not fetch " + url);
        return r.arrayBuffer();
      });
    }
    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      form.passphrase.setAttribute("aria-invalid", "true");
      form.passphrase.setAttribute("aria-describedby", "members-error members-passphrase-hint");
      error.setAttribute("tabindex", "-1");
      error.focus();
    }
    /* `signedIn`: just now, by the form (the focus goes to the page's heading, which
       says where the member is); else opened with the key this browser kept */
    function open(key, signedIn) {
      return fetchBytes(shell.getAttribute("data-bundle")).then(function (sealed) {
        return openSealed(key, sealed, BUNDLE_AAD);
      }).then(function (plain) {
        bundle = JSON.parse(new TextDecoder().decode(plain));
        sectionKey = key;
        openedAt = Date.now();
        window.addEventListener("hashchange", function () {
          var wanted = route();  /* an in-page link (the skip link, "#posts") is left to the browser */
          if (wanted !== null && (wanted !== current || place())) show(true);
        });
        show(Boolean(signedIn));
      });
    }
    /* Signing out closes every copy of the area this browser shows: this page, another
       tab (told by the storage event), one brought back by Back from the browser's page
       cache (pageshow), each holding the key in its memory. */
    var SIGNED_OUT = "ccsite-members-signed-out:" + root, openedAt = 0;
    /* (a second way to tell the other tabs, where the browser keeps no site data) */
    var others = window.BroadcastChannel ? new BroadcastChannel(SIGNED_OUT) : null;
    if (others) others.onmessage = function () { if (sectionKey) closeArea(); };
    function signedOutSince(moment) {
      try { return Number(localStorage.getItem(SIGNED_OUT) || 0) >= moment; }
      catch (e) { return false; }  /* (no storage: this page's own sign-out still holds) */
    }
    function closeArea() {
      forgetFiles();
      bundle = null; sectionKey = null;
      main.innerHTML = "";
      location.replace(root);
    }
    window.addEventListener("storage", function (event) {
      if (event.key === SIGNED_OUT && sectionKey) closeArea();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && sectionKey && signedOutSince(openedAt)) closeArea();
    });
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
      forgetFiles();
      main.innerHTML = page.main;
      document.title = page.title;
      links(main);
      var signOut = main.querySelector("[data-members-signout]");
      if (signOut) signOut.addEventListener("click", function () { window.ccsiteMembers.signOut(); });
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
        if (href.indexOf(root) === 0 && bundle.pages[href]) {
          var to = href.slice(root.length);
          a.setAttribute("href", id && to === current ? "#" + id
            : root + "#/" + to + (id ? "?at=" + encodeURIComponent(id) : ""));
        }
      });
      files(scope);
    }
    window.ccsiteMembersLinks = links;
    /* Each members file the page names gets its decrypted copy: an image shows it, a
       link opens it (saved under the file's own name), middle-clicked too, as only the
       blob: address is ever in the page. */
    function files(scope) {
      FILE_ADDRESSES.forEach(function (name) {
        scope.querySelectorAll("[" + FILE_ATTRIBUTE + name + "]").forEach(function (node) {
          var address = node.getAttribute(FILE_ATTRIBUTE + name);
          if (!bundle.media[address]) return;
          decryptFile(address).then(function (url) {
            if (node.tagName === "A") node.setAttribute("download", address.split("/").pop());
            node.setAttribute(name, url);
          });
        });
      });
    }
    function decryptFile(address) {
      var target = bundle.media[address];
      if (!opened[address]) {
        opened[address] = fetchBytes(target).then(function (sealed) {
          return openSealed(sectionKey, sealed, target.split("/").pop());
        }).then(function (plain) {
          return URL.createObjectURL(new Blob([plain]));
        });
      }
      return opened[address];
    }
    /* the last page's files, let go of: a blob: URL holds its file in memory until then */
    function forgetFiles() {
      Object.keys(opened).forEach(function (address) {
        opened[address].then(function (url) { URL.revokeObjectURL(url); }, function () {});
      });
      opened = {};
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var passphrase = form.passphrase.value.trim().toLowerCase().split(/\s+/).join(" ");
      error.hidden = true;
      if (!passphrase) { showError("Enter your passphrase."); return; }
      status.textContent = "Opening the members area\u2026";
      fetchBytes(shell.getAttribute("data-keys"))
        .then(function (data) { return JSON.parse(new TextDecoder().decode(data)); })
        .then(function (keys) { return contentKey(passphrase, keys, form.remember.checked); })
        .then(function (unwrapped) {
          return open(unwrapped.key, true).then(function () {
            /* not kept (no IndexedDB in some private windows): the passphrase is asked again */
            if (unwrapped.toKeep) return keeper.keep(unwrapped.toKeep).catch(function () {});
          });
        })
        .catch(function () {
          status.textContent = "";
          showError("That passphrase did not open the members area. Check the words and the " +
            "spaces between them, and try again. If it still does not work, ask " +
            (shell.getAttribute("data-ask") || "the programme team") + " for a new passphrase.");
        });
    });
    /* signing out: the kept key is deleted and the sign-in form shown again */
    window.ccsiteMembers = {
      signOut: function () {
        try { localStorage.setItem(SIGNED_OUT, String(Date.now())); } catch (e) { /* none */ }
        if (others) others.postMessage("signed out");
        /* the page is closed whatever the kept key's deletion does (a browser that keeps
           no site data refuses it: then nothing was kept) */
        return keeper.forget().catch(function () {}).then(closeArea);
      }
    };
    keeper.recall().then(function (key) {
      if (!key) { form.hidden = false; return; }
      return open(key).catch(function () {
        keeper.forget();  // the site was rebuilt with a new key
        form.hidden = false;
        status.textContent = "The members area has been updated. Please enter your passphrase again.";
      });
    }, function () { form.hidden = false; });
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
