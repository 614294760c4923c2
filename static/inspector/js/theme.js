// The colour theme: System (the prefers-color-scheme setting), Light or Dark, remembered in
// localStorage. Loaded without defer in <head>, so the remembered choice is on <html>
// before the first paint (no flash of the other theme); the CSS does the rest from
// data-theme. The top bar's select is shown only here, as without JavaScript it could not act.
(function () {
  "use strict";
  var KEY = "inspector-theme";
  var CHOICES = ["system", "light", "dark"];
  var root = document.documentElement;

  function remembered() {
    var choice = null;
    try {
      choice = window.localStorage.getItem(KEY);
    } catch (error) {
      // Storage can be refused (privacy settings): the system setting then decides.
    }
    return CHOICES.indexOf(choice) >= 0 ? choice : "system";
  }

  function apply(choice) {
    if (choice === "system") {
      root.removeAttribute("data-theme");
    } else {
      root.setAttribute("data-theme", choice);
    }
  }

  function remember(choice) {
    try {
      if (choice === "system") {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, choice);
      }
    } catch (error) {
      // Not remembered, but still applied to this page.
    }
  }

  apply(remembered());

  function wire() {
    var select = document.getElementById("theme-choice");
    if (!select) {
      return;
    }
    select.value = remembered();
    select.addEventListener("change", function () {
      remember(select.value);
      apply(select.value);
    });
    // A choice made in another tab applies here too.
    window.addEventListener("storage", function (event) {
      if (event.key === KEY || event.key === null) {
        select.value = remembered();
        apply(select.value);
      }
    });
    var holder = document.getElementById("theme-switch");
    if (holder) {
      holder.hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
