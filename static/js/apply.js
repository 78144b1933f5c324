/* The apply page: the terms and methods follow the chosen product, and every change asks
   the borrower's preview API for the exact schedule the draw would get today. The submit
   button shows progress and cannot be pressed twice (the idempotency key would make a
   second press harmless anyway). */
(function () {
  "use strict";
  const form = document.getElementById("apply");
  if (!form) return;
  const M = window.Microlend;
  const rules = JSON.parse(document.getElementById("product-rules").textContent);
  const text = JSON.parse(document.getElementById("calculator-messages").textContent);
  const statusBox = document.getElementById("status");
  const result = document.getElementById("result");
  const termSelect = form.querySelector("select[name=term]");
  const submit = document.getElementById("submit");
  let timer = null;

  function showStatus(message, kind) {
    M.status(statusBox, result, message, kind);
    submit.disabled = kind === "error";
  }

  function syncProduct() {
    const product = rules[form.elements.product.value];
    if (!product) return;
    const current = termSelect.value || termSelect.dataset.initial;
    termSelect.replaceChildren.apply(termSelect, product.terms.map(function (t) {
      const option = document.createElement("option");
      option.value = String(t);
      option.textContent = String(t);
      option.selected = String(t) === String(current);
      return option;
    }));
    form.querySelectorAll("input[name=method]").forEach(function (input) {
      const allowed = product.methods.indexOf(input.value) >= 0;
      input.disabled = !allowed;
      input.closest("label").hidden = !allowed;
      if (!allowed && input.checked) input.checked = false;
    });
    if (!form.querySelector("input[name=method]:checked")) {
      const first = form.querySelector("input[name=method]:not(:disabled)");
      if (first) first.checked = true;
    }
    document.getElementById("amount-hint").textContent =
      text.amount_hint.replace("%(min)s", product.min).replace("%(step)s", product.step).replace("%(max)s", product.max);
  }

  async function update() {
    const data = new FormData(form);
    const body = {
      product: data.get("product"),
      amount: String(data.get("amount") || "").replace(/,/g, "").trim(),
      term: Number.parseInt(String(data.get("term") || ""), 10),
      method: data.get("method"),
    };
    if (!body.amount) { showStatus(text.principal_required, "error"); return; }
    showStatus(text.calculating, "busy");
    try {
      const answer = await M.postJSON("apply", form.dataset.preview, body);
      if (!answer.ok) { showStatus(answer.data.detail || text.failed, "error"); return; }
      const plan = answer.data;
      document.getElementById("apr-irr").textContent = M.fractionToPercent(plan.annualized_rate_irr, 2);
      document.getElementById("apr-simple").textContent = M.fractionToPercent(plan.annualized_rate_simple, 2);
      document.getElementById("first-payment").textContent = M.money(plan.installments[0].total);
      document.getElementById("first-due").textContent = plan.installments[0].due_date;
      document.getElementById("total-interest").textContent = M.money(plan.total_interest);
      M.renderRows(document.querySelector("#schedule tbody"), plan.installments);
      showStatus("", "");
    } catch (err) {
      if (err.name !== "AbortError") showStatus(text.failed, "error");
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(update, 250); }
  form.elements.product.addEventListener("change", function () { syncProduct(); schedule(); });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    submit.disabled = true;
    submit.textContent = text.submitting;
  });
  const params = new URLSearchParams(window.location.search);
  if (params.get("product") && rules[params.get("product")]) form.elements.product.value = params.get("product");
  syncProduct();
  update();
})();
