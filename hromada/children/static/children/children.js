// Registration form: for an anonymous report hide and clear the reporter fields, so nothing
// identifying is even sent (the server stores nothing for anonymous reports anyway).
(function () {
  var type = document.getElementById("id_reporter_type");
  if (!type) return;
  var names = ["reporter_name", "reporter_organisation", "reporter_phone"];
  var note = document.getElementById("anon-note");
  function sync() {
    var anon = type.value === "anonymous";
    names.forEach(function (n) {
      var input = document.getElementById("id_" + n);
      var wrap = document.getElementById("wrap-id_" + n);
      if (!input || !wrap) return;
      if (anon) { input.value = ""; }
      input.disabled = anon;
      wrap.classList.toggle("reporter-hidden", anon);
    });
    if (note) note.hidden = !anon;
  }
  type.addEventListener("change", sync);
  sync();
})();
