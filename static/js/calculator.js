/* The loan calculator: every change asks the schedule-preview API (the same engine that
   prices real loans) and redraws the plan. */
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  if (!form) return;
  const M = window.Microlend;
  const text = JSON.parse(document.getElementById("calculator-messages").textContent);
  const statusBox = document.getElementById("status");
  const tbody = document.querySelector("#schedule tbody");
  const result = document.getElementById("result");
  let timer = null;

  function showStatus(message, kind) { M.status(statusBox, result, message, kind); }

  function payload() {
    const data = new FormData(form);
    const rate = M.percentToFraction(String(data.get("rate") || ""));
    const body = {
      principal: String(data.get("principal") || "").replace(/,/g, "").trim(),
      term: Number.parseInt(String(data.get("term") || ""), 10),
      method: data.get("method"),
      installment_rounding: data.get("installment_rounding"),
    };
    if (rate === null) return { error: text.rate_invalid };
    body[data.get("rate_basis") === "annual" ? "annual_rate" : "daily_rate"] = rate;
    if (data.get("start_date")) body.start_date = data.get("start_date");
    if (data.get("first_due_date")) body.first_due_date = data.get("first_due_date");
    if (!body.principal) return { error: text.principal_required };
    if (Number.isNaN(body.term)) return { error: text.term_required };
    return { body: body };
  }

  function render(data, basis, ratePercent) {
    document.getElementById("apr-irr").textContent = M.fractionToPercent(data.annualized_rate_irr, 2);
    document.getElementById("apr-simple").textContent = M.fractionToPercent(data.annualized_rate_simple, 2);
    document.getElementById("nominal").textContent =
      (basis === "annual" ? text.nominal_annual : text.nominal_daily).replace("%s", ratePercent + "%");
    document.getElementById("total-interest").textContent = M.money(data.total_interest);
    document.getElementById("total").textContent = M.money(data.total);
    document.getElementById("first-payment").textContent = M.money(data.installments[0].total);
    M.renderRows(tbody, data.installments);
  }

  async function update() {
    const built = payload();
    if (built.error) { showStatus(built.error, "error"); return; }
    showStatus(text.calculating, "busy");
    const basis = new FormData(form).get("rate_basis");
    const ratePercent = String(new FormData(form).get("rate")).trim();
    try {
      const answer = await M.postJSON("calculator", form.dataset.endpoint, built.body);
      if (!answer.ok) {
        showStatus(text.errors[answer.data.code] || answer.data.detail || text.failed, "error");
        return;
      }
      render(answer.data, basis, ratePercent);
      showStatus("", "");
    } catch (err) {
      if (err.name !== "AbortError") showStatus(text.failed, "error");
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(update, 250); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  update();
})();
