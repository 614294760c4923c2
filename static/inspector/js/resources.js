// Contents of a resource the server says changed (notifications/resources/updated) show
// a notice: every container of them carries data-resource-uri.
(function () {
  "use strict";

  document.body.addEventListener("inspector:resource_updated", function (event) {
    const uri = event.detail.uri;
    document.querySelectorAll("[data-resource-uri]").forEach(function (box) {
      if (box.dataset.resourceUri === uri) {
        box.dataset.updated = "true";
        box.querySelectorAll(".updated-notice").forEach(function (notice) {
          notice.hidden = false;
        });
      }
    });
  });
})();
