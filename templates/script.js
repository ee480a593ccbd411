// calfeed's pages work without this script; it only adds conveniences (served as /script.js).
// Copy buttons: a hidden <button data-copy="ID"> copies the value of the field with that id.
// Language suggestion: shows the hidden offer of the visitor's preferred language (see below).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) {
      return;
    }
    var status = button.closest(".copy") && button.closest(".copy").querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          if (status) {
            status.textContent = button.getAttribute("data-copied");
          }
        },
        function () {
          field.focus();
          field.select();
        }
      );
    });
  });
  var fields = document.querySelectorAll("input.copy-source");
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });

  // Language suggestion: every page carries, hidden, an offer to read it in each other language of the site
  // (<aside class="language-suggestion" data-lang>, written in that language). Show the offer of the visitor's
  // first preferred language among the site's (navigator.languages), unless that is the page's own language
  // or the visitor dismissed it before. Never redirects: the page stays as it is, the link is the visitor's.
  var DISMISSED = "calfeed.language-suggestion.dismissed";
  var offers = Array.prototype.slice.call(document.querySelectorAll("aside.language-suggestion[data-lang]"));
  var own = (document.documentElement.lang || "").toLowerCase();
  function primary(tag) {
    return tag.split("-")[0];
  }
  function preferred(available) {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < wanted.length; i += 1) {
      var tag = String(wanted[i] || "").toLowerCase();
      var exact = available.filter(function (lang) { return lang === tag; });
      var near = available.filter(function (lang) { return primary(lang) === primary(tag); });
      if (exact.length || near.length) {
        return exact.length ? exact[0] : near[0];
      }
    }
    return null;
  }
  function dismissed() {
    try {
      return window.localStorage.getItem(DISMISSED);
    } catch (error) {
      return null; // storage blocked: the offer shows again on the next page, which is harmless
    }
  }
  if (offers.length && own) {
    var langs = offers.map(function (offer) { return offer.getAttribute("data-lang").toLowerCase(); });
    var best = preferred([own].concat(langs));
    var offer = best && best !== own && best !== dismissed() ? offers[langs.indexOf(best)] : null;
    if (offer) {
      var dismiss = offer.querySelector("button.language-dismiss");
      offer.hidden = false;
      if (dismiss) {
        dismiss.addEventListener("click", function () {
          try {
            window.localStorage.setItem(DISMISSED, best);
          } catch (error) {
            // storage blocked: hidden on this page only
          }
          var focused = offer.contains(document.activeElement);
          offer.hidden = true;
          if (focused) { // keep keyboard users where they were: on what follows the offer
            var next = document.querySelector(".site-header a") || document.getElementById("main");
            if (next) {
              next.focus();
            }
          }
        });
      }
    }
  }
  // Search: the box (<div class="search" hidden data-index data-root>) stays hidden without this script; with it,
  // the page's language's search index (search.json, every event and news post of every year) is fetched on the
  // first keystroke and filtered as the visitor types: every word must appear in the title, place, tags or date,
  // ignoring case and accents. Results are links; a status line (role="status") says how many were found.
  var MAX_RESULTS = 20;
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("div.search[data-index]"), function (box) {
    var input = box.querySelector("input.search-input");
    var status = box.querySelector(".search-status");
    var list = box.querySelector(".search-results");
    var root = box.getAttribute("data-root");
    var loading = null;
    var items = null;
    if (!input || !status || !list || !window.fetch) {
      return;
    }
    box.hidden = false;
    function load() {
      if (!loading) {
        loading = fetch(box.getAttribute("data-index")).then(function (response) {
          return response.json();
        }).then(function (index) {
          items = index.items.map(function (item) {
            return { item: item, text: fold(item.slice(1, 5).join(" ")) };
          });
        });
      }
      return loading;
    }
    function say(count) {
      var template = count === 0 ? "data-none" : count === 1 ? "data-one" : "data-many";
      status.textContent = box.getAttribute(template).replace("{n}", String(count));
    }
    function show() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) {
        status.textContent = "";
        return;
      }
      var found = items.filter(function (entry) {
        return words.every(function (word) { return entry.text.indexOf(word) !== -1; });
      });
      found.slice(0, MAX_RESULTS).forEach(function (entry) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + entry.item[5];
        link.textContent = entry.item[1];
        li.appendChild(link);
        var when = [entry.item[2], entry.item[3]].filter(Boolean).join(" · ");
        if (when) {
          var meta = document.createElement("span");
          meta.className = "search-when";
          meta.textContent = when;
          li.appendChild(meta);
        }
        list.appendChild(li);
      });
      say(found.length);
    }
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        load().then(show, function () { status.textContent = ""; });
      }, 150);
    });
  });
})();
