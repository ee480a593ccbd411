/* calfeed embed.js: put the agenda on another site with one tag,

     <script src="https://agenda.example.org/embed.js" data-tag="culture" data-lang="es" async></script>

   Options (each checked; a wrong one is left out with a console warning): data-limit="1".."50" (events
   shown), data-theme="light|dark|auto", data-accent="#rrggbb" (links and buttons; ignored where it would
   be hard to read), data-font="inherit" (the font of the element around the script) or
   "system|serif|sans-serif|monospace". They reach the agenda in its address; its own script applies them
   (no inline style in its markup: its strict CSP stays as it is).

   It inserts an iframe right after that tag, showing /embed/ (or /<lang>/tags/<tag>/embed/) from the
   same place the script came from, as wide as its container and as tall as the agenda. The agenda
   posts its height; only messages from that iframe, from its origin and of the expected shape are
   obeyed. See docs/embed.md. */
(function () {
  "use strict";
  var config = {{ config | tojson }};
  var MESSAGE = {{ message | tojson }};
  var MAX_HEIGHT = 100000;
  var TAG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var OPTIONS = {
    limit: function (value) { return /^[1-9][0-9]?$/.test(value) && Number(value) <= 50 ? value : null; },
    theme: function (value) { return /^(light|dark|auto)$/.test(value) ? value : null; },
    accent: function (value) { return /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : null; },
    font: function (value, script) {
      if (/^(system|serif|sans-serif|monospace)$/.test(value)) {
        return value;
      }
      if (value !== "inherit") {
        return null;
      }
      var family = window.getComputedStyle(script.parentNode).fontFamily || "";
      return /^[A-Za-z0-9 ,"'_-]{1,200}$/.test(family) ? family : null;
    },
  };

  function options(script) {
    var query = new URLSearchParams();
    Object.keys(OPTIONS).forEach(function (name) {
      var given = script.getAttribute("data-" + name);
      if (given === null) {
        return;
      }
      var value = OPTIONS[name](given.trim(), script);
      if (value === null) {
        console.warn("calfeed embed.js: data-" + name + "=\"" + given + "\" is not a valid value; left out");
      } else {
        query.set(name, value);
      }
    });
    var text = query.toString();
    return text ? "?" + text : "";
  }

  function language(given) {
    // The site's code for `given`, in any case ("pt-br" is "pt-BR", as calfeed's language rule says).
    for (var i = 0; i < config.languages.length; i++) {
      if (config.languages[i].toLowerCase() === given.toLowerCase()) {
        return config.languages[i];
      }
    }
    console.warn("calfeed embed.js: unknown data-lang \"" + given + "\"; using " + config["default"]);
    return config["default"];
  }

  function embedUrl(script) {
    var base = new URL(".", script.src);
    var given = script.getAttribute("data-lang");
    var lang = given ? language(given) : config["default"];
    var tag = script.getAttribute("data-tag");
    if (tag && !TAG.test(tag)) {
      console.warn("calfeed embed.js: data-tag \"" + tag + "\" is not a tag id; showing every event");
      tag = null;
    }
    // The embed's paths, per language, as calfeed's routes write them ("es/tags/{tag}/embed/").
    var path = tag ? config.paths[lang].tag.replace("{tag}", tag) : config.paths[lang].all;
    return {url: new URL(path + options(script), base), lang: lang, tag: tag || null};
  }

  function insert(script) {
    script.setAttribute("data-calfeed-embedded", "");
    var target = embedUrl(script);
    var frame = document.createElement("iframe");
    frame.src = target.url.href;
    var label = target.tag ? config.tags[target.lang][target.tag] || target.tag : null;
    frame.title = (label ? label + " \u00b7 " : "") + config.titles[target.lang]; // "Culture · UCLG Events"
    frame.setAttribute("lang", config.title_langs[target.lang]); // the language of the title, maybe a fallback
    frame.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox " +
        "allow-top-navigation-by-user-activation"
    );
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.height = "24rem"; // until the agenda says how tall it is
    frame.style.border = "0";
    script.parentNode.insertBefore(frame, script.nextSibling);

    var origin = target.url.origin;
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) {
        return;
      }
      var data = event.data;
      if (!data || typeof data !== "object" || data.type !== MESSAGE) {
        return;
      }
      var height = data.height;
      if (typeof height !== "number" || !isFinite(height) || height < 0 || height > MAX_HEIGHT) {
        return;
      }
      frame.style.height = Math.ceil(height) + "px";
    });
  }

  var scripts = document.currentScript ? [document.currentScript] : document.querySelectorAll("script[src]");
  for (var i = 0; i < scripts.length; i++) {
    var script = scripts[i];
    if (script.hasAttribute("data-calfeed-embedded") || !script.parentNode) {
      continue;
    }
    if (script === document.currentScript || /\/embed\.js(?:[?#].*)?$/.test(script.src)) {
      if (script.getAttribute("data-font") === "inherit" && document.readyState !== "complete") {
        // the partner's stylesheets may still be loading: read its font once they are
        script.setAttribute("data-calfeed-embedded", "");
        window.addEventListener("load", insert.bind(null, script));
      } else {
        insert(script);
      }
    }
  }
})();
