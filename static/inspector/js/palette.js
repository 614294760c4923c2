// The command palette (Ctrl+K, Cmd+K, or the top bar's Search button): a modal dialog with
// a combobox over a listbox. What it searches is asked for each time it opens (the page's
// palette URL), so it finds what the server lists now. Names come from servers: they are
// set as text, never as markup.
(function () {
  "use strict";

  const LIMIT = 50; // more results than a person reads; the query narrows them
  const READY_TIMEOUT_MS = 15000;
  const MAX_PAGES = 50; // of a tab's list, paged through to reach an item

  const dialog = document.getElementById("palette");
  const opener = document.getElementById("palette-open");
  if (!dialog || !opener) {
    return;
  }
  const input = dialog.querySelector('[role="combobox"]');
  const listbox = dialog.querySelector('[role="listbox"]');
  const status = dialog.querySelector('[role="status"]');
  let entries = [];
  let shown = [];
  let active = -1;
  let returnTo = null;
  let loading = 0; // which opening the answer being awaited belongs to
  let loaded = false;
  let loadFailed = false;
  let lastEntries = null; // what the last opening on this page was sent
  let enterWhenLoaded = false; // Enter pressed before the entries came: it picks the best then

  // Higher is better; 0 is no match. A match in the name beats one in the hint, a name
  // that starts with the query beats one that holds it, and letters in order (fuzzy)
  // come last among names.
  function score(entry, needle) {
    if (!needle) {
      return 1;
    }
    const label = entry.label.toLowerCase();
    const at = label.indexOf(needle);
    if (at === 0) {
      return 100;
    }
    if (at > 0) {
      return 80 - Math.min(at, 30);
    }
    if (inOrder(label, needle)) {
      return 40;
    }
    return (entry.hint + " " + entry.group).toLowerCase().indexOf(needle) >= 0 ? 20 : 0;
  }

  function inOrder(text, needle) {
    let from = 0;
    for (const letter of needle) {
      if (letter === " ") {
        continue;
      }
      from = text.indexOf(letter, from);
      if (from < 0) {
        return false;
      }
      from += 1;
    }
    return true;
  }

  function update() {
    const needle = input.value.trim().toLowerCase();
    shown = entries
      .map(function (entry, order) {
        return { entry: entry, score: score(entry, needle), order: order };
      })
      .filter(function (each) {
        return each.score > 0;
      })
      .sort(function (a, b) {
        return b.score - a.score || a.order - b.order;
      })
      .slice(0, LIMIT)
      .map(function (each) {
        return each.entry;
      });
    active = shown.length ? 0 : -1;
    render();
    if (!loaded) {
      // Typed before the entries came: nothing is judged yet.
      status.textContent = loadFailed ? "What to search could not be loaded." : "Loading…";
      return;
    }
    status.textContent = shown.length
      ? shown.length + (shown.length === 1 ? " result" : " results")
      : "Nothing matches.";
  }

  function render() {
    const options = shown.map(function (entry, index) {
      const option = document.createElement("li");
      option.id = "palette-option-" + index;
      option.setAttribute("role", "option");
      option.dataset.index = String(index);
      const label = document.createElement("span");
      label.className = "palette-label";
      label.textContent = entry.label;
      const group = document.createElement("span");
      group.className = "palette-group";
      group.textContent = entry.group;
      option.append(label, group);
      if (entry.hint) {
        const hint = document.createElement("span");
        hint.className = "palette-hint";
        hint.textContent = entry.hint;
        option.append(hint);
      }
      return option;
    });
    listbox.replaceChildren.apply(listbox, options);
    highlight();
  }

  function highlight() {
    listbox.querySelectorAll('[role="option"]').forEach(function (option) {
      const selected = Number(option.dataset.index) === active;
      option.setAttribute("aria-selected", selected ? "true" : "false");
      if (selected) {
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", "palette-option-" + active);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open() {
    if (dialog.open) {
      input.focus();
      return;
    }
    returnTo = document.activeElement;
    input.value = "";
    // Opened again on this page, it offers at once what it found last time, and asks
    // again meanwhile: what the server lists changes seldom, and a person types at once.
    entries = lastEntries || [];
    shown = [];
    active = -1;
    loaded = lastEntries !== null;
    loadFailed = false;
    enterWhenLoaded = false;
    if (loaded) {
      update();
    } else {
      render();
      status.textContent = "Loading…";
    }
    dialog.showModal();
    input.focus();
    const opening = ++loading;
    fetch(opener.dataset.paletteUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        lastEntries = data.entries || [];
        if (opening === loading && dialog.open) {
          entries = lastEntries;
          loaded = true;
          update();
          if (enterWhenLoaded && shown.length) {
            choose(shown[0]);
          }
        }
      })
      .catch(function () {
        if (opening === loading && !loaded) {
          loadFailed = true;
          status.textContent = "What to search could not be loaded.";
        }
      });
  }

  // Focus goes back where it was, unless a choice moved it on purpose.
  dialog.addEventListener("close", function () {
    loading += 1;
    const back = returnTo;
    returnTo = null;
    if (back && back.isConnected && typeof back.focus === "function") {
      back.focus();
    }
  });

  // A modal dialog keeps focus inside: Tab and Shift+Tab go round its controls (here,
  // the combobox alone).
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Tab") {
      event.preventDefault();
      input.focus();
    }
  });

  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (shown.length) {
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + shown.length) % shown.length;
        highlight();
      }
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!loaded) {
        enterWhenLoaded = true;
      } else if (active >= 0) {
        choose(shown[active]);
      }
    }
  });
  listbox.addEventListener("click", function (event) {
    const option = event.target.closest('[role="option"]');
    if (option) {
      choose(shown[Number(option.dataset.index)]);
    }
  });
  // A press on an option must not take focus from the combobox.
  listbox.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });

  function choose(entry) {
    if (!entry) {
      return;
    }
    const tab = entry.tab ? document.getElementById("tab-" + entry.tab) : null;
    returnTo = tab || returnTo;
    dialog.close();
    if (entry.action === "tab" || entry.action === "open") {
      if (!tab || !window.inspectorTabs) {
        return;
      }
      window.inspectorTabs.select(entry.tab);
      if (entry.action === "open") {
        openItem(entry);
      }
    } else if (entry.action === "go") {
      window.location.assign(entry.url);
    } else if (entry.action === "post") {
      post(entry.url);
    }
  }

  // An item opens as a click on it in its tab's list does (the tab lists it, and its
  // detail is read from that listing): the list is paged until the item is on it.
  async function openItem(entry) {
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const list = await until(function () {
        return settled(document.querySelector(entry.list));
      });
      if (!list) {
        return;
      }
      const item = Array.from(list.querySelectorAll(":scope > li.item")).find(function (each) {
        return each.dataset.key === entry.key;
      });
      if (item) {
        item.hidden = false; // a search in the list may hide it; the person asked for this one
        const button = item.querySelector("button");
        button.focus();
        button.click();
        focusFirstField(entry.target);
        return;
      }
      const more = list.querySelector(":scope > li.load-more button");
      if (!more) {
        return;
      }
      more.click();
      await until(function () { return !more.isConnected; });
    }
  }

  // What htmx has just swapped in answers clicks only once it has settled.
  function settled(element) {
    return element && !element.closest(".htmx-settling, .htmx-added") && !element.querySelector(".htmx-added")
      ? element
      : null;
  }

  // Once the detail holds a form, its first field has the focus, so Ctrl+Enter runs it.
  async function focusFirstField(selector) {
    const target = document.querySelector(selector);
    const before = target && target.firstElementChild;
    const field = await until(function () {
      const now = document.querySelector(selector);
      return now && now.firstElementChild !== before
        ? now.querySelector("form input:not([type=hidden]), form select, form textarea")
        : null;
    });
    if (field) {
      field.focus();
    }
  }

  // Resolves with what `test` answers once it is truthy (checked after each change to
  // the page), or with null after a while.
  function until(test) {
    return new Promise(function (resolve) {
      const now = test();
      if (now) {
        resolve(now);
        return;
      }
      const watcher = new MutationObserver(function () {
        const found = test();
        if (found) {
          watcher.disconnect();
          clearTimeout(timer);
          resolve(found);
        }
      });
      const timer = setTimeout(function () {
        watcher.disconnect();
        resolve(null);
      }, READY_TIMEOUT_MS);
      watcher.observe(document.body, { childList: true, subtree: true, attributeFilter: ["class"] });
    });
  }

  // A saved server connects as its Connect button does: a POST of a form (a process is
  // never started from a GET), with the page's CSRF token.
  function post(url) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.hidden = true;
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken();
    form.append(token);
    document.body.append(form);
    form.submit();
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  opener.addEventListener("click", open);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
      event.preventDefault();
      open();
    }
  });
})();
