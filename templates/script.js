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
})();
