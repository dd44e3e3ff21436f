/*
 * Small pieces shared by the directory's scripts (the search page and its embed,
 * « Rejoindre l’annuaire »), so that each exists once: a debounce for what runs
 * while people type, and the option element of an ARIA listbox (a name and a
 * secondary label; chosen on mousedown so the input keeps focus).
 * Loaded before them (both deferred, so in order); no dependency, no build step.
 */
(function () {
  "use strict";

  // fn runs once typing pauses for `wait` ms; .cancel() drops a pending call.
  function debounce(fn, wait) {
    var timer = null;
    var debounced = function () {
      var args = arguments;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(null, args); }, wait);
    };
    debounced.cancel = function () { window.clearTimeout(timer); };
    return debounced;
  }

  // <li role="option" id=… class=…><span>label</span> <span class=detailClass>detail</span></li>
  function optionElement(id, className, label, detailClass, detail, onChoose) {
    var li = document.createElement("li");
    li.id = id;
    li.className = className;
    li.setAttribute("role", "option");
    var name = document.createElement("span");
    name.textContent = label;
    var extra = document.createElement("span");
    extra.className = detailClass;
    extra.textContent = detail;
    li.appendChild(name);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(extra);
    // mousedown, not click: the input keeps focus.
    li.addEventListener("mousedown", function (event) {
      event.preventDefault();
      onChoose();
    });
    return li;
  }

  window.lagrappeWidgets = { debounce: debounce, optionElement: optionElement };
})();
