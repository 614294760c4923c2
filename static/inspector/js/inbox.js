// The approvals inbox reloads when the stream says it changed (hx-trigger on #inbox) and
// comes back out of band, part by part. Its cards carry hx-preserve, so a card that stays
// is left alone (a person may be typing in one), a new one is added and one no longer
// waiting goes. Two kinds of card a person answered on this page stay a moment longer:
// one whose answer is on its way (its note replaces it when it lands), and one showing
// its note.
(function () {
  "use strict";

  const SETTLED_CARD_MS = 4000;

  function leaveSoon(item) {
    if (item.dataset.leaving) {
      return;
    }
    item.dataset.leaving = "1";
    window.setTimeout(function () {
      item.remove();
    }, SETTLED_CARD_MS);
  }

  function staysAWhile(item) {
    if (item.dataset.leaving || item.querySelector(".htmx-request")) {
      return true;
    }
    if (item.querySelector("[data-settled]")) {
      leaveSoon(item);
      return true;
    }
    return false;
  }

  // A card that stays a while is kept in place by a preserved stand-in in the fresh list.
  function keepAnsweredCards(event) {
    if (event.detail.target.id !== "inbox-cards") {
      return;
    }
    const fresh = event.detail.fragment.querySelector("#inbox-cards");
    const shown = Array.from(event.detail.target.children);
    // New cards follow every card already shown, as they do in the server's order.
    let anchor =
      Array.from(fresh.children).find(function (card) {
        return !document.getElementById(card.id);
      }) || null;
    shown.reverse().forEach(function (item) {
      const counterpart = fresh.querySelector(":scope > #" + CSS.escape(item.id));
      if (counterpart) {
        anchor = counterpart;
      } else if (staysAWhile(item)) {
        const standIn = document.createElement("li");
        standIn.id = item.id;
        standIn.setAttribute("hx-preserve", "true");
        fresh.insertBefore(standIn, anchor);
        anchor = standIn;
      }
    });
  }

  // The page that answered sees the note, then the card goes.
  function settle(event) {
    const item = event.target.closest && event.target.closest(".inbox-item");
    if (item && item.querySelector("[data-settled]")) {
      leaveSoon(item);
    }
  }

  document.body.addEventListener("htmx:oobBeforeSwap", keepAnsweredCards);
  document.addEventListener("htmx:afterSettle", settle);

  // The drawer: opened and closed by the button that shows the count, remembered for the
  // next page, so that a person who keeps it open finds it open.
  const OPEN_KEY = "inspector.inbox.open";

  function remember(open) {
    try {
      window.localStorage.setItem(OPEN_KEY, open ? "1" : "0");
    } catch (error) {
      // Storage refused (private mode): the drawer just forgets.
    }
  }

  function remembered() {
    try {
      return window.localStorage.getItem(OPEN_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function showDrawer(open, focus) {
    const drawer = document.getElementById("inbox");
    const toggle = document.getElementById("inbox-toggle");
    if (!drawer || !toggle) {
      return;
    }
    drawer.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("inbox-open", open);
    if (focus) {
      (open ? drawer : toggle).focus();
    }
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest && event.target.closest("#inbox-toggle, [data-inbox-close]");
    if (!target) {
      return;
    }
    const open = target.id === "inbox-toggle" && document.getElementById("inbox").hidden;
    showDrawer(open, true);
    remember(open);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("#inbox")) {
      showDrawer(false, true);
      remember(false);
    }
  });

  if (remembered()) {
    showDrawer(true, false);
  }
})();
