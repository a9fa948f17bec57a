/*
 * The studio's piece form, enhanced: the maker share follows the production
 * steps as they are filled in, and photos get "Move earlier" / "Move later"
 * buttons that reorder them and renumber their positions. Without JavaScript
 * the form works the same: the share is shown after saving, and the order is
 * set by typing the positions.
 */
(function () {
  "use strict";
  var HAND = ["by_hand", "with_hand_tools"];

  function update(form, output) {
    var selects = form.querySelectorAll("select[data-step-done]");
    var counted = 0;
    var byHand = 0;
    selects.forEach(function (select) {
      var row = select.closest("fieldset");
      var removed = row && row.querySelector("input[type=checkbox][name$='-DELETE']:checked");
      if (!select.value || removed) return;
      counted += 1;
      if (HAND.indexOf(select.value) !== -1) byHand += 1;
    });
    output.textContent = counted ? Math.round((100 * byHand) / counted) + "%" : "no steps yet";
  }

  function renumber(section) {
    section.querySelectorAll(".formset__row input[name$='-position']").forEach(function (input, index) {
      input.value = index;
    });
  }

  function addMoveButtons(section) {
    section.querySelectorAll(".formset__row").forEach(function (row) {
      var legend = row.querySelector("legend").textContent;
      [["earlier", -1], ["later", 1]].forEach(function (move) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--quiet button--small";
        button.textContent = "Move " + move[0];
        button.setAttribute("aria-label", "Move " + legend + " " + move[0]);
        button.addEventListener("click", function () {
          var sibling = move[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
          if (!sibling || !sibling.classList.contains("formset__row")) return;
          if (move[1] < 0) sibling.before(row); else sibling.after(row);
          renumber(section);
          button.focus();
        });
        row.appendChild(button);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var photos = document.querySelector("[data-formset='photos']");
    if (photos) addMoveButtons(photos);
    var output = document.querySelector("[data-maker-share-value]");
    if (!output) return;
    var form = output.closest("form");
    form.addEventListener("change", function () { update(form, output); });
    update(form, output);
  });
})();
