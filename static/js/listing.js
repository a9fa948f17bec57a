/*
 * The pieces' listing, enhanced.
 *
 * On a phone the facet column is a native <dialog>: "Filters" opens it as a
 * modal, "Close" and Escape close it, and "Show N pieces" closes it and lands
 * on the result count above the results. htmx swaps the whole listing when a
 * filter changes; this file then puts back what the shopper had (the dialog
 * open, its scroll, the folds they opened) and sends focus and a live message
 * to the result count. Two exceptions keep focus where it was and only speak
 * the count: while the dialog is open (what is behind a modal dialog cannot be
 * reached, nor is it read out: the count is spoken from inside the dialog),
 * and after a change of a list or a typed field (sort, price, delivery), which
 * a keyboard changes one step at a time.
 *
 * Without JavaScript the page works the same way in plain HTML: "Filters" is
 * a link to #filters, which CSS shows as a full-screen panel (:target), and
 * the form submits to the listing at #results.
 */
(function () {
  "use strict";
  // The width below which the facet column is a dialog (site.css, "Listing and facet column").
  var PHONE = window.matchMedia("(max-width: 55.99rem)");
  var before = null;
  var landing = false;
  var submitted = false;

  function byId(id) {
    return document.getElementById(id);
  }

  function foldKey(details) {
    return details.dataset.fold ? "fold:" + details.dataset.fold : "group:" + details.dataset.group;
  }

  function controlKey(element) {
    if (!element || !element.name || !byId("filters").contains(element)) return null;
    return {
      name: element.name,
      value: element.type === "checkbox" ? element.value : null,
      // A list or a field being typed in keeps focus: arrowing through a <select> changes it at every
      // step, and moving away would leave a keyboard user stranded after the first.
      keeps: element.tagName === "SELECT" || (element.tagName === "INPUT" && element.type !== "checkbox"),
    };
  }

  function findControl(key) {
    if (!key) return null;
    var selector = '[name="' + CSS.escape(key.name) + '"]';
    if (key.value !== null) selector += '[value="' + CSS.escape(key.value) + '"]';
    return byId("filters").querySelector(selector);
  }

  function announce(region, text) {
    if (!region) return;
    // Emptied first and filled a moment later, so that the same words are read again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 150);
  }

  function landAtResults() {
    var count = byId("result-count");
    if (count) count.focus();
  }

  function onClose() {
    // Focus goes where the shopper expects it, even when the control that opened the dialog was swapped away.
    var target = landing ? byId("result-count") : byId("filters-open");
    landing = false;
    window.setTimeout(function () {
      if (target && document.contains(target)) target.focus();
    }, 0);
  }

  // The "Filters" link becomes a button that opens the dialog; the dialog learns where focus goes on closing.
  function enhance() {
    var link = byId("filters-open");
    if (link && link.tagName === "A") {
      var button = document.createElement("button");
      button.type = "button";
      button.id = link.id;
      button.className = link.className;
      button.textContent = link.textContent;
      button.setAttribute("aria-haspopup", "dialog");
      link.replaceWith(button);
    }
    var dialog = byId("filters");
    if (dialog && !dialog.dataset.enhanced) {
      dialog.dataset.enhanced = "1";
      dialog.addEventListener("close", onClose);
    }
  }

  document.addEventListener("click", function (event) {
    var dialog = byId("filters");
    if (!dialog) return;
    if (event.target.closest("#filters-open")) {
      event.preventDefault();
      if (!dialog.open) dialog.showModal();
    } else if (event.target.closest("[data-close-filters]") && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });

  // "Show N pieces" (or Enter in the search field): htmx fetches the results; the dialog closes at once.
  document.addEventListener("submit", function (event) {
    var dialog = byId("filters");
    if (!dialog || !dialog.contains(event.target)) return;
    submitted = true;
    if (dialog.open) {
      landing = true;
      dialog.close();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "listing" || !byId("filters")) return;
    var dialog = byId("filters");
    before = {
      modal: dialog.open,
      scroll: dialog.scrollTop,
      control: controlKey(document.activeElement),
      open: Array.prototype.map.call(dialog.querySelectorAll("details[open]"), foldKey),
      submitted: submitted,
    };
    submitted = false;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "listing" || !before || !byId("filters")) return;
    var was = before;
    before = null;
    enhance();
    var dialog = byId("filters");
    dialog.querySelectorAll("details[data-group], details[data-fold]").forEach(function (details) {
      // A fold holding a chosen option stays open whatever it was: a ticked option is never hidden.
      var holdsChoice = details.querySelector("input:checked") && details.dataset.fold;
      details.open = holdsChoice || was.open.indexOf(foldKey(details)) !== -1;
    });
    var count = byId("result-count");
    var text = count ? count.textContent.trim() : "";
    if (was.modal && PHONE.matches) {
      dialog.showModal();
      var control = findControl(was.control);
      if (control) control.focus({ preventScroll: true });
      dialog.scrollTop = was.scroll;
      announce(byId("filters-status"), text);
    } else {
      var kept = was.control && was.control.keeps && !was.submitted ? findControl(was.control) : null;
      if (kept) kept.focus({ preventScroll: true });
      else landAtResults();
      announce(byId("listing-status"), text);
    }
  });

  // Widened past a phone with the dialog open: the column is a sidebar again.
  PHONE.addEventListener("change", function () {
    var dialog = byId("filters");
    if (!PHONE.matches && dialog && dialog.open) dialog.close();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
