// The only script, and nothing needs it: it keeps the place picker unambiguous (choosing a
// locality clears the ZIP; a ZIP, when given, decides the locality) and filters long lists
// (an input with data-filter="CSS selector" hides the rows that do not contain its words),
// and a button with data-print prints the page (the browser's own Print does the same).
(function () {
  var zip = document.getElementById("zip");
  var locality = document.getElementById("locality");
  if (zip && locality) {
    locality.addEventListener("change", function () { zip.value = ""; });
    zip.addEventListener("input", function () { if (zip.value) locality.value = "national"; });
  }
  var filters = document.querySelectorAll("input[data-filter]");
  Array.prototype.forEach.call(filters, function (input) {
    var rows = document.querySelectorAll(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
