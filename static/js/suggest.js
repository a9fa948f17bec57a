/*
 * The header's search box, enhanced: an ARIA 1.2 combobox with a listbox of
 * suggestions (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
 *
 * htmx fetches the suggestions as the shopper types (the box's data-hx-*
 * attributes: /pieces/suggest/?q=…, catalog.pages.suggest) and swaps the
 * listbox under the box; this file does the rest. Focus stays in the box:
 * ArrowDown and ArrowUp move the active option (aria-activedescendant), Enter
 * follows it (a facet's option to the filtered listing, a maker to their page,
 * a piece to its page), Escape closes the list (and, once closed, empties the
 * box); a click follows an option. A polite live region says how many
 * suggestions came.
 *
 * Without JavaScript the box is a plain search field whose form goes to the
 * listing: none of the combobox's roles are set until this file runs.
 */
(function () {
  "use strict";

  var LISTBOX = "site-search-suggestions";

  function start() {
    var input = document.getElementById("site-q");
    var status = document.getElementById("site-search-status");
    if (!input) return;
    var active = -1;
    var spoken = null;
    var dismissed = false; // Escape closed the list: an answer still on its way for the same text stays closed

    function listbox() {
      return document.getElementById(LISTBOX);
    }

    function options() {
      var list = listbox();
      return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
    }

    function isOpen() {
      return input.getAttribute("aria-expanded") === "true";
    }

    function setActive(position) {
      var all = options();
      active = position;
      all.forEach(function (option, at) {
        var chosen = at === position;
        option.setAttribute("aria-selected", chosen ? "true" : "false");
        option.classList.toggle("is-active", chosen);
        if (chosen) option.scrollIntoView({ block: "nearest" });
      });
      if (position >= 0 && all[position]) input.setAttribute("aria-activedescendant", all[position].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function show(open) {
      var list = listbox();
      open = open && options().length > 0;
      if (list) list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) setActive(-1);
    }

    function announce(text) {
      if (!status) return;
      // Emptied first and filled a moment later, so that the same number is read again.
      window.clearTimeout(spoken);
      status.textContent = "";
      spoken = window.setTimeout(function () {
        status.textContent = text;
      }, 150);
    }

    function follow(option) {
      if (option && option.dataset.href) window.location.assign(option.dataset.href);
    }

    if (listbox()) listbox().dataset.seen = "1"; // the page's own, empty list: no answer to announce
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", LISTBOX);
    input.setAttribute("aria-expanded", "false");

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) return;
        event.preventDefault();
        dismissed = false;
        if (!isOpen()) show(true);
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
      } else if (event.key === "Enter") {
        if (isOpen() && active >= 0) {
          event.preventDefault();
          follow(options()[active]);
        }
      } else if (event.key === "Escape") {
        if (isOpen()) {
          event.preventDefault();
          dismissed = true;
          show(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }
    });

    // Typing moves nothing: the active option is the one arrowed to since the last answer.
    input.addEventListener("input", function () {
      dismissed = false;
      setActive(-1);
    });

    input.addEventListener("blur", function () {
      show(false);
    });

    input.addEventListener("focus", function () {
      if (input.value) show(true);
    });

    // The list's own clicks: pressing keeps focus in the box (no blur closes it first), releasing follows.
    document.addEventListener("mousedown", function (event) {
      if (event.target.closest && event.target.closest("#" + LISTBOX)) event.preventDefault();
    });
    document.addEventListener("click", function (event) {
      var option = event.target.closest && event.target.closest("#" + LISTBOX + ' [role="option"]');
      if (option) follow(option);
    });

    // A new answer: a fresh list, nothing active, its size announced. On afterSwap, in the task that
    // inserted it (afterSettle comes later: the list would show a moment with aria-expanded unchanged).
    document.body.addEventListener("htmx:afterSwap", function () {
      var list = listbox();
      if (!list || list.dataset.seen) return;
      list.dataset.seen = "1";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var count = options().length;
      show(document.activeElement === input && !dismissed);
      if (input.value.trim()) announce(count === 1 ? "1 suggestion" : count + " suggestions");
      else announce("");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
