// The release page's filter over positions: no network, no dependency; text is set with
// textContent only, so nothing in the data is ever read as HTML.
(function () {
  "use strict";
  var source = document.getElementById("positions-data");
  var form = document.getElementById("positions-filter");
  var body = document.querySelector("#positions-table tbody");
  var status = document.getElementById("positions-status");
  if (!source || !form || !body || !status) { return; }
  var rows = JSON.parse(source.textContent);
  var shownMax = Number(form.getAttribute("data-max-rows")) || 200;
  var lowered = rows.map(function (row) {
    return row.map(function (value) { return String(value).toLowerCase(); });
  });
  // Columns of a row: actor, act, topic, cue, day, text.
  function matches(row, wanted) {
    return (!wanted.actor || row[0].indexOf(wanted.actor) !== -1) &&
      (!wanted.act || row[1] === wanted.act) &&
      (!wanted.topic || row[2].indexOf(wanted.topic) !== -1) &&
      (!wanted.text || row[5].indexOf(wanted.text) !== -1 || row[3].indexOf(wanted.text) !== -1);
  }
  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? String(field.value).trim().toLowerCase() : "";
  }
  function render() {
    var wanted = { actor: value("actor"), act: value("act"), topic: value("topic"), text: value("text") };
    var fragment = document.createDocumentFragment();
    var found = 0;
    for (var i = 0; i < rows.length; i += 1) {
      if (!matches(lowered[i], wanted)) { continue; }
      found += 1;
      if (found > shownMax) { continue; }
      var tr = document.createElement("tr");
      for (var j = 0; j < rows[i].length; j += 1) {
        var td = document.createElement("td");
        td.textContent = rows[i][j];
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
    status.setAttribute("data-matching", String(found));
    status.textContent = found.toLocaleString("en") + " of " + rows.length.toLocaleString("en") +
      " positions match" + (found > shownMax ? "; the first " + shownMax.toLocaleString("en") + " are shown" : "");
  }
  form.addEventListener("input", render);
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  render();
}());
