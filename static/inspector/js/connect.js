// The connect form: only the chosen transport's fields show (the server renders every
// group, so the form works without JavaScript), and a command line, URL or configuration
// pasted into the first field fills the form. The reading is the server's
// (POST data-paste-url), the same as importing a configuration file.
(function () {
  "use strict";

  const PASTE_DELAY_MS = 300;

  function transportOf(form) {
    const select = form.elements.namedItem("transport");
    return select ? select.value : "";
  }

  // Hidden, not removed: switching back finds what was typed.
  function showGroups(form) {
    const transport = transportOf(form);
    form.querySelectorAll(".connect-group[data-transports]").forEach(function (group) {
      group.hidden = group.dataset.transports.split(" ").indexOf(transport) < 0;
    });
  }

  function differsFromDefault(element) {
    if (element.type === "checkbox") {
      return element.checked !== element.defaultChecked;
    }
    if (element.tagName === "SELECT") {
      return Array.from(element.options).some(function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return element.value !== element.defaultValue;
  }

  function fill(form, fields) {
    Object.keys(fields).forEach(function (name) {
      const element = form.elements.namedItem(name);
      if (!element || element instanceof RadioNodeList) {
        return;
      }
      const value = fields[name];
      if (element.type === "checkbox") {
        element.checked = Boolean(value);
      } else {
        element.value = value === null || value === undefined ? "" : String(value);
      }
      if (element.closest(".connect-advanced") && differsFromDefault(element)) {
        element.closest(".connect-advanced").open = true;
      }
    });
    showGroups(form);
  }

  async function readPaste(form, holder, text) {
    const status = holder.querySelector(".paste-status");
    if (!text.trim()) {
      status.textContent = "";
      return;
    }
    const token = form.elements.namedItem("csrfmiddlewaretoken");
    const body = new URLSearchParams({ text: text });
    let answer;
    try {
      const response = await fetch(holder.dataset.pasteUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      answer = await response.json();
    } catch (error) {
      status.textContent = "The pasted text could not be read just now (" + error.message + "); fill in the fields below.";
      return;
    }
    // A later paste has replaced this one: its answer is the one that counts.
    if (holder.querySelector("textarea").value !== text) {
      return;
    }
    if (answer.recognised) {
      fill(form, answer.fields);
    }
    status.dataset.recognised = answer.recognised ? "1" : "0";
    status.textContent = answer.message;
  }

  function setUp(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector(".connect-group") || form.dataset.connectReady) {
        return;
      }
      form.dataset.connectReady = "1";
      showGroups(form);
      const holder = form.querySelector(".paste-field");
      if (!holder) {
        return;
      }
      holder.hidden = false;
      const area = holder.querySelector("textarea");
      let timer = 0;
      area.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          readPaste(form, holder, area.value);
        }, PASTE_DELAY_MS);
      });
    });
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.name === "transport" && target.form && target.form.querySelector(".connect-group")) {
      showGroups(target.form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });
  // The form comes back from a failed connect as a fresh fragment.
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });
})();
