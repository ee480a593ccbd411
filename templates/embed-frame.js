/* calfeed: runs inside the embedded agenda (/embed/) and tells the page around it how tall the
   agenda is, so that embed.js can size the iframe to fit. It sends nothing but a height. */
(function () {
  "use strict";
  if (window.parent === window) {
    return; // opened on its own, not in a frame
  }
  var root = document.documentElement;

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
