// Advance a batch job chunk by chunk and move the progress bar; without script the page refreshes itself instead.
(function () {
  const box = document.getElementById("progress");
  if (!box || box.dataset.done === "true") return;
  document.querySelectorAll('meta[http-equiv="refresh"]').forEach((m) => m.remove());
  const bar = box.querySelector("progress");
  async function step() {
    const response = await fetch(box.dataset.stepUrl, { method: "POST", headers: { "X-CSRFToken": box.dataset.csrf } });
    if (!response.ok) { window.location.reload(); return; }
    const state = await response.json();
    bar.value = state.processed;
    box.querySelector(".processed").textContent = state.processed;
    box.querySelector(".errors").textContent = state.errors;
    if (state.status === "done") window.location.reload(); else step();
  }
  step();
})();
