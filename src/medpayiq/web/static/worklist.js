// The claim worklist (the 837P scrub report, and the /claims/file page): sort by a column,
// filter by words and by status, and export the rows shown as CSV. No network, no library:
// the HTML report inlines this file so that it works opened from disk.
(function () {
  var table = document.getElementById("worklist");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var query = document.getElementById("wl-q");
  var status = document.getElementById("wl-status");
  var count = document.getElementById("wl-count");
  var exportButton = document.getElementById("wl-csv");
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function value(cell, numeric) {
    var raw = cell.getAttribute("data-v");
    if (raw === null) raw = cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    var number = parseFloat(raw.replace(/[$,]/g, ""));
    return isNaN(number) ? -Infinity : number;
  }

  function apply() {
    var words = query ? query.value.trim().toLowerCase().split(/\s+/).filter(Boolean) : [];
    var wanted = status ? status.value : "";
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = (!wanted || row.getAttribute("data-status") === wanted) &&
        words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    if (count) count.textContent = shown + " of " + rows.length + " claims";
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    if (!th.hasAttribute("data-sort")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "wl-sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var numeric = th.getAttribute("data-sort") === "num";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row, i) {
        return [value(row.cells[column], numeric), i, row];
      });
      keyed.sort(function (a, b) {
        if (a[0] < b[0]) return ascending ? -1 : 1;
        if (a[0] > b[0]) return ascending ? 1 : -1;
        return a[1] - b[1];
      });
      var fragment = document.createDocumentFragment();
      keyed.forEach(function (k) { fragment.appendChild(k[2]); });
      body.appendChild(fragment);
      rows = keyed.map(function (k) { return k[2]; });
      texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    });
  });

  function csvCell(text) {
    var clean = text.replace(/\s+/g, " ").trim();
    if (/^[=+\-@]/.test(clean)) clean = "'" + clean;  // never a spreadsheet formula
    return /[",\n]/.test(clean) ? '"' + clean.replace(/"/g, '""') + '"' : clean;
  }

  function exportCsv() {
    var header = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return csvCell(th.textContent);
    });
    var lines = [header.join(",")];
    rows.forEach(function (row) {
      if (row.hidden) return;
      lines.push(Array.prototype.map.call(row.cells, function (cell) {
        var text = cell.getAttribute("data-csv");
        return csvCell(text === null ? cell.textContent : text);
      }).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = table.getAttribute("data-csv-name") || "claims-worklist.csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  if (query) query.addEventListener("input", apply);
  if (status) status.addEventListener("change", apply);
  if (exportButton) exportButton.addEventListener("click", exportCsv);
  apply();
})();
