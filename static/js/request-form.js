// The live character count under the engraving field: "10 of 12 characters", or
// "17 of 12 characters: 5 too many". Nothing is ever cut: the server refuses an engraving
// past its limit with a message (catalog.personalization.forms.RequestForm), and this count
// uses the same rule (spaces at the ends dropped, runs of spaces counted as one).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-count-limit]").forEach((input) => {
    const out = document.querySelector(`[data-count-for="${input.id}"]`);
    if (!out) return;
    const limit = Number(input.dataset.countLimit);
    const show = () => {
      const count = [...input.value.trim().replace(/\s+/g, " ")].length;
      const over = count - limit;
      out.textContent = `${count} of ${limit} characters` + (over > 0 ? `: ${over} too many` : "");
      out.classList.toggle("counter--over", over > 0);
    };
    input.addEventListener("input", show);
    show();
  });
});
