/*
 * The studio's forms with rows, enhanced: the piece form, and the maker's
 * application and profile with their process photos. The maker share follows
 * the production steps as they are filled in; a photo chosen in a row is
 * previewed beside its alt text before it is saved. The row buttons (add, remove, move) are
 * plain submit buttons that htmx sends in place (data-hx-post); htmx swaps the
 * row's section and focuses the field or button the server marked autofocus.
 * Without JavaScript the form works the same: each row button reloads the
 * page with the row changed, and the share is shown after saving.
 */
(function () {
  "use strict";
  var HAND = ["by_hand", "with_hand_tools"];

  function updateShare(form) {
    var output = form.querySelector("[data-maker-share-value]");
    if (!output) return;
    var counted = 0;
    var byHand = 0;
    form.querySelectorAll("[data-formset='steps'] select[data-step-done]").forEach(function (select) {
      if (!select.value) return;
      counted += 1;
      if (HAND.indexOf(select.value) !== -1) byHand += 1;
    });
    output.textContent = counted ? Math.round((100 * byHand) / counted) + "%" : "no steps yet";
  }

  // The chosen file, shown in the row's preview box, described by the row's alt text.
  function preview(input) {
    var row = input.closest(".formset__row");
    var box = row && row.querySelector("[data-photo-preview]");
    if (!box || !input.files || !input.files[0]) return;
    var alt = row.querySelector("input[name$='-alt_text']");
    var reader = new FileReader();
    reader.addEventListener("load", function () {
      var img = document.createElement("img");
      img.src = reader.result;
      img.width = 96;
      img.height = 96;
      img.alt = (alt && alt.value) || "The photo you chose, not saved yet";
      box.replaceChildren(img);
    });
    reader.readAsDataURL(input.files[0]);
  }

  function previewAll(root) {
    root.querySelectorAll("[data-formset='photos'] input[type=file]").forEach(preview);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.piece-form, form.maker-form");
    if (!form) return;
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=file]")) preview(event.target);
      updateShare(form);
    });
    // After a row button's swap: the focus where the server marked it, the share, and the
    // previews of files kept in their inputs. htmx gives the focus back to the pressed button's
    // id when it can, which is wrong when that button is now disabled (a row moved to an end).
    document.body.addEventListener("htmx:afterSettle", function () {
      var wanted = form.querySelector("[autofocus]");
      if (wanted) {
        if (document.activeElement !== wanted) wanted.focus();
        wanted.removeAttribute("autofocus");
      }
      updateShare(form);
      previewAll(form);
    });
    updateShare(form);
    previewAll(form);
  });
})();
