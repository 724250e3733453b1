/* Person registry: Enter in a suggestion box must not submit the whole form (CSP: no inline scripts). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("[data-no-submit]")) {
      e.preventDefault();
      var target = document.getElementById(e.target.getAttribute("aria-controls"));
      if (target) { target.focus(); }
    }
  });
})();
