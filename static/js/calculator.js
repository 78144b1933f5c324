/* The loan calculator: every change asks the schedule-preview API (the same engine that
   prices real loans) and redraws the plan. Numbers stay strings end to end: a rate typed as
   a percentage is turned into a fraction by moving the decimal point, never by float maths. */
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  if (!form) return;
  const text = JSON.parse(document.getElementById("calculator-messages").textContent);
  const endpoint = form.dataset.endpoint;
  const statusBox = document.getElementById("status");
  const tbody = document.querySelector("#schedule tbody");
  const result = document.getElementById("result");
  let controller = null;
  let timer = null;

  function percentToFraction(value) {
    const s = value.trim();
    if (!/^\d+(\.\d+)?$/.test(s)) return null;
    const [whole, frac = ""] = s.split(".");
    const digits = (whole.padStart(3, "0") + frac);
    const point = digits.length - frac.length - 2;
    const fraction = (digits.slice(0, point) + "." + digits.slice(point)).replace(/^0+(?=\d)/, "");
    return fraction.replace(/\.?0+$/, "") || "0";
  }

  function fractionToPercent(value, places) {
    const [whole, frac = ""] = value.split(".");
    const digits = whole + frac.padEnd(places + 2, "0");
    const intLen = whole.length + 2;
    let out = digits.slice(0, intLen).replace(/^0+(?=\d)/, "") + "." + digits.slice(intLen, intLen + places);
    // half-up on the first dropped digit
    const dropped = digits.charAt(intLen + places);
    if (dropped && dropped >= "5") {
      const n = out.replace(".", "").split("").map(Number);
      let i = n.length - 1;
      while (i >= 0) { if (n[i] === 9) { n[i] = 0; i--; } else { n[i]++; break; } }
      if (i < 0) n.unshift(1);
      const s = n.join("");
      out = s.slice(0, s.length - places) + "." + s.slice(s.length - places);
    }
    return out + "%";
  }

  function money(value) {
    const negative = value.startsWith("-");
    const [whole, frac = "00"] = value.replace("-", "").split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + grouped + "." + frac;
  }

  function showStatus(message, kind) {
    statusBox.textContent = message;
    statusBox.className = "status " + (kind || "");
    statusBox.hidden = !message;
    result.classList.toggle("stale", kind === "error");
  }

  function payload() {
    const data = new FormData(form);
    const rate = percentToFraction(String(data.get("rate") || ""));
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
    document.getElementById("apr-irr").textContent = fractionToPercent(data.annualized_rate_irr, 2);
    document.getElementById("apr-simple").textContent = fractionToPercent(data.annualized_rate_simple, 2);
    document.getElementById("nominal").textContent =
      (basis === "annual" ? text.nominal_annual : text.nominal_daily).replace("%s", ratePercent + "%");
    document.getElementById("total-interest").textContent = money(data.total_interest);
    document.getElementById("total").textContent = money(data.total);
    document.getElementById("first-payment").textContent = money(data.installments[0].total);
    const rows = data.installments.map(function (row) {
      const tr = document.createElement("tr");
      [String(row.number), row.due_date, String(row.days), money(row.total),
       money(row.principal), money(row.interest), money(row.balance)].forEach(function (v, i) {
        const td = document.createElement("td");
        td.textContent = v;
        if (i >= 2) td.className = "num";
        tr.appendChild(td);
      });
      return tr;
    });
    tbody.replaceChildren.apply(tbody, rows);
  }

  async function update() {
    const built = payload();
    if (built.error) { showStatus(built.error, "error"); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    showStatus(text.calculating, "busy");
    const basis = new FormData(form).get("rate_basis");
    const ratePercent = String(new FormData(form).get("rate")).trim();
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(built.body),
        signal: controller.signal,
      });
      const data = await response.json();
      if (!response.ok) {
        showStatus(text.errors[data.code] || data.detail || text.failed, "error");
        return;
      }
      render(data, basis, ratePercent);
      showStatus("", "");
    } catch (err) {
      if (err.name !== "AbortError") showStatus(text.failed, "error");
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  update();
})();
