// Below 600 px a table.grid reads as cards (dashboard.css): each cell is labelled with its column's header,
// taken from the table itself, so that every list gets its labels without a template saying them twice.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.grid").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("colspan")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });
});

// The lists' 省/市/区 selects (reports.dashboard.lists.RegionSelect): choosing a province or a city leaves
// in the next select only the regions under it, and clears a choice that no longer fits.
document.addEventListener("DOMContentLoaded", function () {
  var levels = ["province", "city", "district"];
  function narrow(form) {
    for (var i = 1; i < levels.length; i++) {
      var parent = form.querySelector("select[name=" + levels[i - 1] + "]");
      var child = form.querySelector("select[name=" + levels[i] + "]");
      if (!parent || !child) { continue; }
      Array.prototype.forEach.call(child.options, function (option) {
        var fits = !parent.value || !option.value || option.getAttribute("data-parent") === parent.value;
        option.hidden = !fits;
        if (!fits && option.selected) { child.value = ""; }
      });
    }
  }
  document.querySelectorAll("form.filters").forEach(function (form) {
    levels.forEach(function (name) {
      var select = form.querySelector("select[name=" + name + "]");
      if (select) { select.addEventListener("change", function () { narrow(form); }); }
    });
    narrow(form);
  });
});
