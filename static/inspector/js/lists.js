// A server's listings: searched as the person types, marked stale (or refreshed, when
// the person asked for it) when the server says a list changed, and listed again when the
// session connects anew, since what the page lists came from the old connection.
(function () {
  "use strict";

  function filterList(input) {
    const list = document.getElementById(input.dataset.filter);
    if (!list) {
      return;
    }
    const needle = input.value.trim().toLowerCase();
    list.querySelectorAll(":scope > li.item").forEach(function (item) {
      item.hidden = needle !== "" && !(item.dataset.search || "").includes(needle);
    });
  }

  function markStale(listing) {
    const banner = document.getElementById("stale-" + listing);
    if (!banner) {
      return;
    }
    banner.hidden = false;
    const auto = document.querySelector('.auto-refresh[data-listing="' + listing + '"]');
    const refresh = banner.querySelector("button");
    if (auto && auto.checked && refresh) {
      refresh.click();
    }
  }

  document.body.addEventListener("inspector:list_changed", function (event) {
    markStale(event.detail.listing);
  });
  document.body.addEventListener("inspector:connected", function () {
    // The new connection has listed nothing yet (items picked from the old lists are
    // unknown to it), and nothing says the lists changed: list them again.
    document.querySelectorAll(".list-block .list-reload").forEach(function (button) {
      button.click();
    });
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches(".list-search")) {
      filterList(event.target);
    }
  });
  // A page of items that arrives is filtered like those already shown.
  document.body.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".list-search").forEach(filterList);
  });
})();
