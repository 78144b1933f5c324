/* The loan calculator: every change asks the schedule-preview API (the same engine that
   prices real loans) and redraws the plan. */
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  if (!form) return;
  const M = window.Microlend;
  const T = window.MicrolendMessages;
  const _ = window.gettext;
  const errors = T.errors({ cap: form.dataset.rateCap, maxTerm: form.dataset.maxTerm });
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
    if (rate === null) return { error: _("Enter the rate as a percentage, e.g. 0.05.") };
    body[data.get("rate_basis") === "annual" ? "annual_rate" : "daily_rate"] = rate;
    if (data.get("start_date")) body.start_date = data.get("start_date");
    if (data.get("first_due_date")) body.first_due_date = data.get("first_due_date");
    if (!body.principal) return { error: T.principalRequired };
    if (Number.isNaN(body.term)) return { error: _("Enter the term in months.") };
    return { body: body };
  }

  function render(data, basis, ratePercent) {
    document.getElementById("apr-irr").textContent = M.fractionToPercent(data.annualized_rate_irr, 2);
    document.getElementById("apr-simple").textContent = M.fractionToPercent(data.annualized_rate_simple, 2);
    const nominal = basis === "annual" ? _("Annual rate %s") : _("Daily rate %s");
    document.getElementById("nominal").textContent = window.interpolate(nominal, [ratePercent + "%"]);
    document.getElementById("total-interest").textContent = M.yuan(data.total_interest);
    document.getElementById("total").textContent = M.yuan(data.total);
    document.getElementById("first-payment").textContent = M.yuan(data.installments[0].total);
    M.renderRows(tbody, data.installments);
  }

  async function update() {
    const built = payload();
    if (built.error) { showStatus(built.error, "error"); return; }
    showStatus(T.calculating, "busy");
    const basis = new FormData(form).get("rate_basis");
    const ratePercent = String(new FormData(form).get("rate")).trim();
    try {
      const answer = await M.postJSON("calculator", form.dataset.endpoint, built.body);
      if (!answer.ok) {
        showStatus(errors[answer.data.code] || answer.data.detail || T.failed, "error");
        return;
      }
      render(answer.data, basis, ratePercent);
      showStatus("", "");
    } catch (err) {
      if (err.name !== "AbortError") showStatus(T.failed, "error");
    }
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(update, 250); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  update();
})();
