/*
 * « Rejoindre l’annuaire »: progressive enhancement of a plain Django form.
 * Without this file the form is complete: skills are checkboxes grouped by domain.
 * With it:
 *  - a combobox (ARIA 1.2, multi-select listbox) filters the skills as one types,
 *    accents ignored; Enter or a click ticks the matching checkbox; chosen skills
 *    show as removable chips; each domain says how many are ticked;
 *  - the address says, as it is typed, whether it is enough to be placed on the map;
 *  - after a failed submission, focus goes to the list of errors.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-join-form]");
  if (!form) { return; }

  var errors = document.getElementById("join-errors");
  if (errors) { errors.focus(); }

  var widgets = window.lagrappeWidgets;  // static/js/widgets.js
  if (!widgets) { return; }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* ------------------------------------------------------------ skills */
  var skills = form.querySelector("[data-skills]");
  var picker = skills && skills.querySelector("[data-skills-picker]");
  if (skills && picker) {
    var items = Array.prototype.map.call(skills.querySelectorAll("input[type=checkbox]"), function (box) {
      var group = box.closest("[data-skills-group]");
      return {
        box: box,
        label: form.querySelector("label[for='" + box.id + "']").textContent.trim(),
        domain: group.querySelector("summary").firstChild.textContent.trim()
      };
    });

    picker.innerHTML =
      '<label for="skills-filter" class="form__legend">Rechercher une compétence</label>' +
      '<input id="skills-filter" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false"' +
      ' aria-controls="skills-listbox" aria-describedby="skills-filter-help" autocomplete="off" spellcheck="false">' +
      '<p id="skills-filter-help" class="form__help">Tapez quelques lettres, puis flèches et Entrée pour cocher ; ou parcourez les domaines ci-dessous.</p>' +
      '<ul id="skills-listbox" class="skills__listbox" role="listbox" aria-label="Compétences" aria-multiselectable="true" hidden></ul>' +
      '<p class="visually-hidden" role="status" aria-live="polite" data-skills-status></p>' +
      '<ul class="skills__chosen" aria-label="Compétences choisies" data-skills-chosen></ul>';
    picker.hidden = false;
    var input = picker.querySelector("#skills-filter");
    var listbox = picker.querySelector("#skills-listbox");
    var status = picker.querySelector("[data-skills-status]");
    var chosen = picker.querySelector("[data-skills-chosen]");
    var matches = [];
    var active = -1;

    var render = function () {
      var query = fold(input.value.trim());
      matches = query ? items.filter(function (item) {
        return fold(item.label).indexOf(query) !== -1 || fold(item.domain).indexOf(query) !== -1;
      }).slice(0, 12) : [];
      if (active >= matches.length) { active = matches.length - 1; }
      listbox.innerHTML = "";
      matches.forEach(function (item, index) {
        var li = widgets.optionElement("skills-option-" + index, "skills__option" + (index === active ? " is-active" : ""),
          item.label, "skills__option-domain", item.domain, function () { toggle(index); });
        li.setAttribute("aria-selected", item.box.checked ? "true" : "false");
        listbox.appendChild(li);
      });
      var open = matches.length > 0 && document.activeElement === input;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (active >= 0 && active < matches.length) {
        input.setAttribute("aria-activedescendant", "skills-option-" + active);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
      if (query) {
        status.textContent = matches.length ? matches.length + " compétence" + (matches.length > 1 ? "s" : "") + " trouvée" + (matches.length > 1 ? "s" : "") + "." : "Aucune compétence ne correspond.";
      }
    };

    var toggle = function (index) {
      var item = matches[index];
      if (!item) { return; }
      item.box.checked = !item.box.checked;
      item.box.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = item.label + (item.box.checked ? " cochée." : " décochée.");
      render();
    };

    var refreshChosen = function () {
      chosen.innerHTML = "";
      items.forEach(function (item) {
        if (!item.box.checked) { return; }
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "skills__chip";
        button.setAttribute("aria-label", "Retirer " + item.label);
        button.innerHTML = "<span></span><span aria-hidden=\"true\">×</span>";
        button.firstChild.textContent = item.label;
        button.addEventListener("click", function () {
          item.box.checked = false;
          item.box.dispatchEvent(new Event("change", { bubbles: true }));
          status.textContent = item.label + " retirée.";
          input.focus();
        });
        li.appendChild(button);
        chosen.appendChild(li);
      });
      Array.prototype.forEach.call(skills.querySelectorAll("[data-skills-group]"), function (group) {
        var count = group.querySelectorAll("input:checked").length;
        group.querySelector("[data-skills-count]").textContent = count ? "(" + count + " choisie" + (count > 1 ? "s" : "") + ")" : "";
      });
    };

    input.addEventListener("input", function () { active = 0; render(); });
    input.addEventListener("focus", render);
    input.addEventListener("blur", function () { window.setTimeout(function () { listbox.hidden = true; input.setAttribute("aria-expanded", "false"); }, 100); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!matches.length) { return; }
        event.preventDefault();
        active = event.key === "ArrowDown" ? (active + 1) % matches.length : (active <= 0 ? matches.length - 1 : active - 1);
        render();
        var li = document.getElementById("skills-option-" + active);
        if (li && li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submits the whole form from the filter
        if (active >= 0) { toggle(active); }
      } else if (event.key === "Escape") {
        if (!listbox.hidden) { listbox.hidden = true; input.setAttribute("aria-expanded", "false"); } else { input.value = ""; render(); }
      }
    });
    skills.addEventListener("change", refreshChosen);
    refreshChosen();
  }

  /* ----------------------------------------------------------- address */
  var statusBox = form.querySelector("[data-geocode-status]");
  var postcode = form.querySelector("#id_postcode");
  var city = form.querySelector("#id_city");
  var street = form.querySelector("#id_address");
  if (statusBox && postcode && city) {
    var initial = statusBox.textContent;
    var update = function () {
      var hasPostcode = /^\s*\d{5}\s*$/.test(postcode.value);
      var hasCity = city.value.trim().length > 1;
      if (!postcode.value.trim() && !city.value.trim()) {
        statusBox.removeAttribute("data-state");
        statusBox.textContent = initial;
      } else if (hasPostcode && hasCity) {
        statusBox.setAttribute("data-state", "ready");
        statusBox.textContent = street && street.value.trim()
          ? "Adresse complète : votre structure sera placée sur la carte à cette adresse après validation (au centre de " + city.value.trim() + " si la rue n’est pas trouvée)."
          : "Sans numéro ni rue, votre structure sera placée au centre de " + city.value.trim() + " (position approximative).";
      } else {
        statusBox.setAttribute("data-state", "incomplete");
        statusBox.textContent = "Indiquez le code postal (5 chiffres) et la ville pour apparaître sur la carte.";
      }
    };
    var updateOncePaused = widgets.debounce(update, 400);
    [postcode, city, street].forEach(function (field) {
      if (field) { field.addEventListener("input", updateOncePaused); }
    });
  }
})();
