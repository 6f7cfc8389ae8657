// The position list: a header checkbox ticks or clears every row of the page.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var name = all.dataset.selectAll;
      var boxes = function () { return all.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'); };
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
      });
      all.form.addEventListener("change", function (event) {
        if (event.target === all) { return; }
        var list = Array.prototype.slice.call(boxes());
        var ticked = list.filter(function (box) { return box.checked; }).length;
        all.checked = ticked === list.length && ticked > 0;
        all.indeterminate = ticked > 0 && ticked < list.length;
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
