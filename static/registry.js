// Follow a registry job's progress without reloading; without script the page reloads itself every two seconds.
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  document.querySelectorAll('meta[http-equiv="refresh"]').forEach((m) => m.remove());
  const bar = box.querySelector("progress");
  const stages = JSON.parse(box.dataset.stages || "{}");
  async function poll() {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) { window.location.reload(); return; }
    const state = await response.json();
    bar.value = Math.round(state.progress * 1000);
    box.querySelector(".percent").textContent = Math.floor(state.progress * 100);
    box.querySelector(".stage").textContent = stages[state.stage] || "";
    if (state.status === "done" || state.status === "failed") window.location.reload();
    else setTimeout(poll, 700);
  }
  poll();
})();
