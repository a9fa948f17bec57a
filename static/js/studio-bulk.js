/*
 * The studio list's change to many pieces at once, enhanced (catalog.studio.bulk). Without
 * JavaScript the form works the same: "All pieces on this page" is read by the server, and every
 * change's fields show under its name. Here: that box ticks every row's box (and is unticked when
 * one row is), the count of chosen pieces is said (aria-live), and only the chosen change's fields show.
 */
(function () {
  "use strict";

  function setUp(form) {
    var all = form.querySelector("input[name='all_on_page']");
    var action = form.querySelector("select[name='action']");
    var count = form.querySelector("[data-bulk-count]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-piece][form='" + form.id + "']"));
    var parts = Array.prototype.slice.call(form.querySelectorAll("[data-bulk-for]"));

    function say() {
      var chosen = boxes.filter(function (box) { return box.checked; }).length;
      count.textContent = chosen === 1 ? "1 piece chosen." : chosen + " pieces chosen.";
    }

    function show() {
      parts.forEach(function (part) {
        part.hidden = part.getAttribute("data-bulk-for") !== action.value;
      });
    }

    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        say();
      });
    }
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (all && !box.checked) all.checked = false;
        say();
      });
    });
    if (action) {
      action.addEventListener("change", show);
      show();
    }
    if (all && all.checked) boxes.forEach(function (box) { box.checked = true; });
    say();
  }

  document.querySelectorAll("form[data-bulk]").forEach(setUp);
})();
