/* Shared by every page script. */
(function (global) {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  global.MicrolendCommon = { csrfToken: csrfToken };
})(window);
