// calfeed's pages work without this script; it only adds conveniences (served as /script.js).
// Copy buttons: a hidden <button data-copy="ID"> copies the value of the field with that id.
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
})();
