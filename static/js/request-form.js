// The live character count under the engraving field: "5 of 12 characters".
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-count-limit]").forEach((input) => {
    const out = document.querySelector(`[data-count-for="${input.id}"]`);
    if (!out) return;
    const limit = Number(input.dataset.countLimit);
    const show = () => {
      out.textContent = `${input.value.length} of ${limit} characters`;
    };
    input.addEventListener("input", show);
    show();
  });
});
