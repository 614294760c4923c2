// A file dropped on a form's drop zone (data-drop-zone names it) goes into the form's
// file field and the form is sent, as if the person had chosen it and pressed the button.
(function () {
  "use strict";

  document.querySelectorAll("form[data-drop-zone]").forEach(function (form) {
    const zone = document.getElementById(form.dataset.dropZone);
    const input = form.querySelector('input[type="file"]');
    if (!zone || !input) {
      return;
    }
    zone.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) {
        event.preventDefault();
        zone.classList.add("drop-target");
      }
    });
    zone.addEventListener("dragleave", function (event) {
      if (!zone.contains(event.relatedTarget)) {
        zone.classList.remove("drop-target");
      }
    });
    zone.addEventListener("drop", function (event) {
      zone.classList.remove("drop-target");
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) {
        return;
      }
      event.preventDefault();
      input.files = event.dataTransfer.files;
      form.requestSubmit();
    });
  });
})();
