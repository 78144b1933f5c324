/* Shared by the calculator and the apply page: decimal strings in, text out. Money and rates
   stay strings end to end; no float arithmetic touches an amount. */
(function (global) {
  "use strict";

  function percentToFraction(value) {
    const s = String(value).trim();
    if (!/^\d+(\.\d+)?$/.test(s)) return null;
    const [whole, frac = ""] = s.split(".");
    const digits = whole.padStart(3, "0") + frac;
    const point = digits.length - frac.length - 2;
    const fraction = (digits.slice(0, point) + "." + digits.slice(point)).replace(/^0+(?=\d)/, "");
    return fraction.replace(/\.?0+$/, "") || "0";
  }

  function fractionToPercent(value, places) {
    const [whole, frac = ""] = String(value).split(".");
    const digits = whole + frac.padEnd(places + 2, "0");
    const intLen = whole.length + 2;
    let out = digits.slice(0, intLen).replace(/^0+(?=\d)/, "") + "." + digits.slice(intLen, intLen + places);
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
    const text = String(value);
    const negative = text.startsWith("-");
    const [whole, frac = "00"] = text.replace("-", "").split(".");
    return (negative ? "-" : "") + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + frac;
  }

  /* An amount as the pages show it: ¥1,234.50 */
  function yuan(value) {
    const text = money(value);
    return text.startsWith("-") ? "-¥" + text.slice(1) : "¥" + text;
  }

  function renderRows(tbody, installments) {
    const rows = installments.map(function (row) {
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

  /* POST JSON; aborts the previous call of the same `slot` so only the newest answer draws. */
  const controllers = {};
  async function postJSON(slot, url, body) {
    if (controllers[slot]) controllers[slot].abort();
    const controller = (controllers[slot] = new AbortController());
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": global.MicrolendCommon.csrfToken() },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    return { ok: response.ok, data: await response.json() };
  }

  /* Show (or hide, with an empty message) a status line; "error" greys out the result. */
  function status(box, result, message, kind) {
    box.textContent = message;
    box.className = "status " + (kind || "");
    box.hidden = !message;
    result.classList.toggle("stale", kind === "error");
  }

  global.Microlend = { percentToFraction, fractionToPercent, money, yuan, renderRows, postJSON, status };
})(window);
