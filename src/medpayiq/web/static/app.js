// The only script: keeps the place picker unambiguous. Choosing a locality clears the ZIP
// (a ZIP, when given, decides the locality), and typing a ZIP resets the locality list.
// Everything works without it.
(function () {
  var zip = document.getElementById("zip");
  var locality = document.getElementById("locality");
  if (!zip || !locality) return;
  locality.addEventListener("change", function () { zip.value = ""; });
  zip.addEventListener("input", function () { if (zip.value) locality.value = "national"; });
})();
