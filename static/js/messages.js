/* Messages shared by the calculator and the apply page, for the preview APIs' error codes
   (the API's own `detail` is the fallback). Translated through the page's catalog. */
(function (global) {
  "use strict";
  const _ = global.gettext || function (s) { return s; };
  const fmt = global.interpolate || function (s) { return s; };

  function errors(limits) {
    const cap = (limits && limits.cap) || "";
    const maxTerm = (limits && limits.maxTerm) || "360";
    return {
      principal_not_positive: _("The amount must be greater than zero."),
      principal_invalid: _("Enter the amount as a number, e.g. 10000 or 10000.50."),
      principal_too_many_places: _("The amount can have at most two decimal places."),
      principal_too_large: _("That amount is larger than we can lend."),
      amount_not_positive: _("The amount must be greater than zero."),
      amount_invalid: _("Enter the amount as a number, e.g. 10000 or 10000.50."),
      amount_too_many_places: _("The amount can have at most two decimal places."),
      term_min_value: fmt(_("The term must be between 1 and %(max)s months."), { max: maxTerm }, true),
      term_max_value: fmt(_("The term must be between 1 and %(max)s months."), { max: maxTerm }, true),
      term_invalid: _("Enter the term as a whole number of months."),
      daily_rate_not_positive: _("The rate must be greater than zero."),
      annual_rate_not_positive: _("The rate must be greater than zero."),
      rate_above_cap: fmt(_("That rate is above the %(cap)s%% annualized cap we allow."), { cap: cap }, true),
      first_due_date: _("The first due date must be after the start date."),
      schedule_not_representable: _("This rounding unit is too large for the amount: choose the fen."),
    };
  }

  global.MicrolendMessages = {
    errors: errors,
    calculating: _("Calculating…"),
    failed: _("Could not calculate the plan. Check your connection and try again."),
    principalRequired: _("Enter the amount you want to borrow."),
  };
})(window);
