/* calfeed: runs inside the embedded agenda (/embed/). It applies the partner's options from the address
   (?limit=5&theme=dark&accent=%23aa3300&font=Georgia, set by embed.js from data- attributes), each checked
   again here, through classes and CSS custom properties (CSSOM, not inline style: the page's CSP stays
   strict); and it tells the page around it how tall the agenda is, so that embed.js can size the iframe
   to fit. It sends nothing but a height. */
(function () {
  "use strict";
  var root = document.documentElement;
  var params = new URLSearchParams(window.location.search);

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function background() {
    var rgb = (window.getComputedStyle(document.body).backgroundColor.match(/\d+/g) || [255, 255, 255]).slice(0, 3);
    return "#" + rgb.map(function (c) { return ("0" + Number(c).toString(16)).slice(-2); }).join("");
  }

  var theme = params.get("theme");
  if (theme === "light" || theme === "dark") {
    root.classList.add("theme-" + theme);
  }
  var font = params.get("font");
  var generic = { system: "system-ui, sans-serif", serif: "serif", "sans-serif": "sans-serif", monospace: "monospace" };
  if (font && (generic[font] || /^[A-Za-z0-9 ,"'_-]{1,200}$/.test(font))) {
    root.style.setProperty("--embed-font", generic[font] || font);
    root.classList.add("has-font");
  }
  var accent = params.get("accent");
  if (accent && /^#[0-9a-f]{6}$/i.test(accent)) {
    if (contrast(accent, background()) >= 4.5) { // links must stay readable (WCAG 2.2 AA)
      root.style.setProperty("--accent", accent);
      root.style.setProperty("--focus", accent);
    } else {
      console.warn("calfeed: accent " + accent + " is hard to read on this background; the agenda's own is kept");
    }
  }
  var limit = Number(params.get("limit"));
  if (limit >= 1 && limit <= 50 && Math.floor(limit) === limit) {
    var events = document.querySelectorAll("article.event");
    Array.prototype.forEach.call(events, function (event, index) {
      event.hidden = index >= limit;
    });
    Array.prototype.forEach.call(document.querySelectorAll("main section"), function (section) {
      section.hidden = !section.querySelector("article.event:not([hidden])") && !!section.querySelector("article.event");
    });
  }

  if (window.parent === window) {
    return; // opened on its own, not in a frame
  }

  // Sent again on every resize, even when unchanged: the page around may have resized the frame itself.
  function postHeight() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    // Any origin may receive it: the parent's origin is not known here, and a height is no secret.
    window.parent.postMessage({ type: {{ message | tojson }}, height: height }, "*");
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(postHeight).observe(root);
  }
  window.addEventListener("load", postHeight);
  window.addEventListener("resize", postHeight);
  postHeight();
})();
