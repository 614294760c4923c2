// The live lanes of a session page (the Protocol log with its server output, and the
// Server log) under a flood. A push carries rows for the newest events only; when it
// left older ones out it says where its rows begin (first_seq), and "load earlier"
// reaches the rest. A lane whose reader is at its bottom follows the tail; a lane the
// person has scrolled up in is left as it is: new rows go below it, and when a push
// skipped events it is detached (it takes no rows) until the person comes back to the
// bottom or asks for the latest. The Protocol tab counts what arrived.
(function () {
  "use strict";

  const COUNT_EVERY_MS = 300; // the live count is a polite live region: not every push

  const LANES = {
    protocol: { lists: ["protocol-log", "console-log"], holder: "load-earlier", query: "tail=1" },
    log: { lists: ["server-log"], holder: "load-earlier-log", query: "lane=log&tail=1" },
  };
  Object.keys(LANES).forEach(function (name) {
    Object.assign(LANES[name], {
      name: name, detached: false, newBelow: 0, shown: 0, loading: false, visible: false, atBottom: true,
    });
  });

  function lastSeq() {
    const status = document.getElementById("live-status");
    return Number((status && status.dataset.lastSeq) || 0);
  }

  function mainList(lane) {
    return document.getElementById(lane.lists[0]);
  }

  // Someone reading a lane has scrolled it up; a lane out of view has no reader.
  function following(list) {
    if (!list || list.offsetParent === null) {
      return true;
    }
    return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  }

  function lastShown(lane) {
    let last = lane.shown;
    lane.lists.forEach(function (id) {
      const list = document.getElementById(id);
      const row = list && list.lastElementChild;
      if (row) {
        last = Math.max(last, Number(row.dataset.seq || 0));
      }
    });
    return last;
  }

  function earlierButton(lane, before) {
    const holder = document.getElementById(lane.holder);
    const list = document.getElementById("protocol-log");
    if (!holder || !list) {
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = lane.name === "log" ? "Load earlier log messages" : "Load earlier events";
    const lanePart = lane.name === "log" ? "lane=log&" : "";
    button.setAttribute("hx-get", list.dataset.earlierUrl + "?" + lanePart + "before=" + before);
    button.setAttribute("hx-target", "#" + lane.holder);
    button.setAttribute("hx-swap", "outerHTML");
    holder.replaceChildren(button);
    htmx.process(holder);
  }

  function appendRows(list, rows, after) {
    const fresh = rows.filter(function (row) {
      return Number(row.dataset.seq) > after;
    });
    list.append.apply(list, fresh);
    fresh.forEach(function (row) {
      if (row.querySelector("[hx-get], [hx-post]")) {
        htmx.process(row); // only the rows that carry htmx attributes: processing is not free
      }
    });
  }

  // Takes the push's rows for each lane out of `fragment` and places them.
  function place(fragment, push) {
    Object.keys(LANES).forEach(function (name) {
      const lane = LANES[name];
      const parts = {};
      lane.lists.forEach(function (id) {
        const part = fragment.querySelector('[hx-swap-oob="beforeend:#' + id + '"]');
        parts[id] = part ? Array.from(part.children) : [];
        if (part) {
          part.remove();
        }
      });
      const list = mainList(lane);
      if (!list) {
        return;
      }
      const atBottom = following(list);
      if (!lane.detached && push.first_seq) {
        if (atBottom) {
          // Nobody is reading above: the lane restarts at the push's first row.
          lane.lists.forEach(function (id) {
            const other = document.getElementById(id);
            if (other) {
              other.replaceChildren();
            }
          });
          earlierButton(lane, push.first_seq);
        } else {
          lane.detached = true;
        }
      }
      if (!lane.detached) {
        const after = lastShown(lane);
        lane.lists.forEach(function (id) {
          const target = document.getElementById(id);
          if (target) {
            appendRows(target, parts[id], after);
          }
        });
        lane.shown = Math.max(lane.shown, push.last_seq);
      }
      lane.newBelow = atBottom && !lane.detached ? 0 : lane.newBelow + push.arrived;
      if (atBottom && !lane.detached) {
        list.scrollTop = list.scrollHeight;
      }
    });
    showCount();
  }

  // The lane at its newest row, the row itself in view (the page may be scrolled too).
  function toBottom(list) {
    list.scrollTop = list.scrollHeight;
    if (list.lastElementChild) {
      list.lastElementChild.scrollIntoView({ block: "nearest" });
    }
  }

  // "Show latest": the newest rows replace the lane's, and the lane follows again; again
  // while pushes came in during the request.
  function showLatest(lane) {
    const list = mainList(lane);
    const log = document.getElementById("protocol-log");
    if (!list || !log || lane.loading) {
      return;
    }
    if (!lane.detached) {
      lane.newBelow = 0;
      toBottom(list);
      showCount();
      return;
    }
    lane.loading = true;
    const wanted = lastSeq();
    htmx
      .ajax("GET", log.dataset.earlierUrl + "?" + lane.query, { target: "#" + lane.holder, swap: "outerHTML" })
      .then(function () {
        lane.loading = false;
        lane.shown = wanted;
        if (lastSeq() > wanted) {
          showLatest(lane); // more came meanwhile: still detached, fetch the tail again
          return;
        }
        lane.detached = false;
        lane.newBelow = 0;
        toBottom(list);
        htmx.trigger(document.body, "inspector:pushed");
        showCount();
      });
  }

  let countTimer = null;
  function showCount() {
    if (countTimer !== null) {
      return;
    }
    countTimer = window.setTimeout(function () {
      countTimer = null;
      const count = document.getElementById("event-count");
      const total = lastSeq();
      if (count) {
        const below = LANES.protocol.newBelow;
        let text = total.toLocaleString("en-US") + (total === 1 ? " event" : " events");
        if (below > 0) {
          text += " · " + below.toLocaleString("en-US") + " new below";
        }
        count.dataset.total = String(total);
        count.dataset.newBelow = String(below);
        if (count.textContent !== text) {
          count.textContent = text;
        }
      }
      document.querySelectorAll(".show-latest[data-lane]").forEach(function (button) {
        const lane = LANES[button.dataset.lane];
        // Kept in the layout (CSS hides it while idle): its coming must not move the rows read.
        button.toggleAttribute("data-idle", !(lane && (lane.detached || lane.newBelow > 0)));
      });
    }, COUNT_EVERY_MS);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".show-latest[data-lane]");
    if (button && LANES[button.dataset.lane]) {
      showLatest(LANES[button.dataset.lane]);
    }
  });

  // Back at the bottom of a lane: it follows the tail again.
  document.addEventListener(
    "scroll",
    function (event) {
      Object.keys(LANES).forEach(function (name) {
        const lane = LANES[name];
        if (event.target !== mainList(lane) || event.target.offsetParent === null) {
          return;
        }
        lane.atBottom = following(event.target); // where the reader was, for when it is shown again
        if (lane.atBottom && (lane.detached || lane.newBelow)) {
          showLatest(lane);
        }
      });
    },
    true,
  );

  // A lane out of view took its rows without scrolling (a hidden list cannot scroll):
  // when its tab is chosen again, a lane whose reader was at its bottom shows its newest
  // rows, and the pushes that follow find it there. Not when the tab was chosen to show
  // one event (a finding's link, #event-N): that row is what the person asked to see.
  const shownAgain = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      const list = entry.target;
      const lane = list.inspectorLane;
      const visible = list.offsetParent !== null && entry.contentRect.height > 0;
      const showingOne = list.querySelector(":scope > li.focused") || /^#event-/.test(window.location.hash);
      if (visible && !lane.visible && lane.atBottom && !lane.detached && !showingOne) {
        list.scrollTop = list.scrollHeight;
      }
      lane.visible = visible;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    Object.keys(LANES).forEach(function (name) {
      LANES[name].shown = lastSeq();
      const list = mainList(LANES[name]);
      if (list) {
        list.inspectorLane = LANES[name];
        shownAgain.observe(list);
      }
    });
    showCount(); // the count as the script words it (thousands separated) from the start
  });

  window.inspectorLanes = { place: place };
})();
