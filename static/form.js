// The firm's form, with script: labels follow the unit, each amount is echoed in ¥ and 大写 as it is typed, rows
// are added and removed in place, and the error summary takes focus. Without script the server does all of this.
(function () {
  "use strict";
  const form = document.getElementById("firm-form");
  const summary = document.getElementById("error-summary") || document.querySelector(".warning[autofocus]");
  if (summary) summary.focus();
  if (!form || !window.SubsidyAmount) return;
  const english = document.documentElement.lang === "en";
  const paren = (text) => (english ? " (" + text + ")" : "（" + text + "）");
  const announcer = form.querySelector("[data-announce]");
  const announce = (text) => { if (announcer) { announcer.textContent = ""; setTimeout(() => { announcer.textContent = text; }, 50); } };

  function unit() {
    const chosen = form.querySelector('input[name="unit"]:checked');
    return chosen ? chosen.value : "yuan";
  }

  function echo(input) {
    const target = document.getElementById(input.id + "-echo");
    if (!target) return;
    const text = input.value.trim();
    if (!text) { target.textContent = ""; return; }
    const read = window.SubsidyAmount.read(text, unit());
    if (read.error) { target.textContent = form.dataset.echoInvalid || ""; target.classList.add("unread"); return; }
    target.classList.remove("unread");
    target.textContent = form.dataset.echoPrefix + window.SubsidyAmount.yuan(read.fen) + paren(window.SubsidyAmount.capital(read.fen));
  }

  function followUnit() {
    const chosen = form.querySelector('input[name="unit"]:checked');
    const word = chosen ? chosen.dataset.unit : "";
    form.querySelectorAll("[data-unit-label]").forEach((label) => { label.textContent = paren(word); });
    form.querySelectorAll("[data-example-" + unit() + "]").forEach((hint) => { hint.textContent = hint.dataset["example" + (unit() === "wan" ? "Wan" : "Yuan")]; });
    form.querySelectorAll("input[data-money]").forEach(echo);
  }

  let timer = null;
  form.addEventListener("input", (event) => {
    if (!event.target.matches("input[data-money]")) return;
    clearTimeout(timer);
    const input = event.target;
    timer = setTimeout(() => echo(input), 120);
  });
  form.addEventListener("change", (event) => { if (event.target.name === "unit") followUnit(); });

  function renumber(group) {
    group.querySelectorAll(":scope > [data-row]").forEach((row, i) => {
      row.querySelectorAll("[data-row-number]").forEach((span) => { span.textContent = String(i + 1); });
    });
  }

  function addRow(group) {
    const template = group.querySelector("template[data-row-template]");
    const rows = group.querySelectorAll(":scope > [data-row]");
    let next = 0;
    rows.forEach((row) => { next = Math.max(next, Number(row.id.split("-").pop()) + 1); });
    const html = template.innerHTML.replace(/__i__/g, String(next)).replace(/__n__/g, String(rows.length + 1));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    group.insertBefore(row, template);
    renumber(group);
    followUnit();
    const first = row.querySelector("input, select");
    if (first) first.focus();
    announce(row.querySelector("legend").textContent.trim() + (english ? " added" : " 已添加"));
  }

  function removeRow(row) {
    const group = row.parentElement;
    const label = row.querySelector("legend").textContent.trim();
    const after = row.nextElementSibling && row.nextElementSibling.matches("[data-row]") ? row.nextElementSibling : null;
    row.remove();
    renumber(group);
    const target = after ? after.querySelector("input, select") : group.querySelector("[data-add]");
    if (target) target.focus();
    announce(label + (english ? " removed" : " 已删除"));
  }

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add]");
    if (add) { event.preventDefault(); addRow(add.closest("[data-group]")); return; }
    const remove = event.target.closest("[data-remove]");
    if (remove) { event.preventDefault(); removeRow(remove.closest("[data-row]")); }
  });
  followUnit();
})();
