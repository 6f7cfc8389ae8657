// Small behaviours for every staff page. No inline scripts anywhere (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll(".indent[data-level]").forEach(function (el) {
    el.style.paddingLeft = (parseInt(el.dataset.level, 10) * 1.25) + "em";
  });
});
