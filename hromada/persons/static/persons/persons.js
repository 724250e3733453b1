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
  // Latin look-alike letters in a surname: warn while typing (the server warns again after saving).
  var surname = document.getElementById("id_last_name");
  if (surname) {
    var note = document.createElement("p");
    note.id = "last-name-latin";
    note.className = "hint warn";
    note.setAttribute("role", "status");
    note.hidden = true;
    surname.insertAdjacentElement("afterend", note);
    var describedBy = surname.getAttribute("aria-describedby");
    surname.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + note.id);
    var check = function () {
      var latin = (surname.value.match(/[A-Za-z]/g) || []).filter(function (c, i, all) { return all.indexOf(c) === i; });
      note.hidden = latin.length === 0;
      note.textContent = latin.length ? surname.getAttribute("data-latin-warning").replace("%s", latin.join(", ")) : "";
    };
    surname.addEventListener("input", check);
    check();
  }
})();
