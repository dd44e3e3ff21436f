/*
 * LaGrappe directory: progressive enhancement of the server-rendered search.
 * No dependency, no build step. Without this file every control still works
 * (the page is one GET form). With it:
 *  - results, facets and pagination are refreshed in place from a server-rendered
 *    fragment (same URL, header X-Directory-Fragment: 1);
 *  - the address bar follows the search (history.pushState) and Back restores it;
 *  - the search box is an ARIA 1.2 combobox with a listbox of suggestions;
 *  - « Autour de moi » uses the browser's geolocation;
 *  - the map view loads the vendored Leaflet (and Leaflet.markercluster) on demand;
 *    markers are grouped into numbered clusters and each listed structure can be
 *    « situé » on the map;
 *  - on phones the filters open as a full-height panel whose « Voir les N
 *    résultats » button follows every ticked box (the fragment carries the count).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-directory]");
  var widgets = window.lagrappeWidgets;  // static/js/widgets.js
  if (!root || !widgets || !window.fetch || !window.URLSearchParams || !window.history.pushState) {
    return;
  }
  var script = document.currentScript || document.querySelector("script[data-leaflet-src]");
  var leafletSrc = script ? script.getAttribute("data-leaflet-src") : null;
  var clusterSrc = script ? script.getAttribute("data-markercluster-src") : null;
  var form = root.querySelector("[data-dir-form]");
  var region = root.querySelector("[data-dir-region]");
  var status = root.querySelector("[data-dir-status]");
  var input = root.querySelector("[data-dir-q]");
  var listbox = document.getElementById("dir-q-listbox");
  var baseUrl = form.getAttribute("action");
  var suggestUrl = form.getAttribute("data-suggest-url");
  var inflight = null;
  var typingEntry = false; // true while the current history entry was pushed by typing

  root.classList.add("dir--js");

  /* ---------------------------------------------------------------- results */

  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") { params.append(key, value); }
    });
    if (!params.get("around") && !params.get("lat")) { params.delete("radius"); }
    // An untouched sort follows the search (relevance with words, name without).
    var sort = form.querySelector("#dir-sort");
    if (sort && sort.value === sort.getAttribute("data-default")) { params.delete("sort"); }
    params.delete("auto_sort");
    var qs = params.toString();
    return baseUrl + (qs ? "?" + qs : "");
  }

  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function load(url, options) {
    options = options || {};
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    region.setAttribute("aria-busy", "true");
    var headers = { "X-Directory-Fragment": "1" };
    if (options.log === false) { headers["X-Directory-Log"] = "0"; }
    return fetch(url, {
      headers: headers,
      credentials: "same-origin",
      signal: inflight.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      var active = document.activeElement;
      var activeId = active && region.contains(active) ? active.id : null;
      var oldFilters = region.querySelector("[data-dir-filters]");
      var panelScroll = oldFilters ? oldFilters.scrollTop : 0;
      region.innerHTML = html;
      var state = region.querySelector("[data-dir-state]");
      var canonical = state ? state.getAttribute("data-url") : url;
      if (options.history === "push") {
        window.history.pushState({ directory: true }, "", canonical);
      } else if (options.history === "replace") {
        window.history.replaceState({ directory: true }, "", canonical);
      }
      if (state) { announce(state.getAttribute("data-announce")); }
      enhanceRegion();
      var newFilters = region.querySelector("[data-dir-filters]");
      if (newFilters && panelScroll) { newFilters.scrollTop = panelScroll; } // the panel stays where the visitor was
      var target = activeId && document.getElementById(activeId);
      if (target) {
        target.focus();
      } else if (options.focusResults) {
        var heading = document.getElementById("dir-results-title");
        if (heading) { heading.focus(); }
      }
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      window.location.assign(url); // the server-rendered page always works
    }).then(function () {
      region.removeAttribute("aria-busy");
    });
  }

  function searchNow(history) {
    typingEntry = false;
    return load(formUrl(), { history: history || "push" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    closeListbox();
    searchNow("push");
  });

  region.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.name) { return; }
    if (el.name === "around" && el.value) {
      setPosition("", ""); // a chosen city replaces « autour de moi »
    }
    searchNow("push");
  });

  region.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-dir-nav]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      typingEntry = false;
      load(link.href, { history: "push", focusResults: true });
      return;
    }
    var geo = event.target.closest("[data-dir-geolocate]");
    if (geo) { locateMe(); }
    if (event.target.closest("[data-dir-show-results]")) { closePanel(true); }
    var locate = event.target.closest("[data-dir-locate]");
    if (locate) { locateOnMap(locate.getAttribute("data-dir-locate")); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !narrow.matches) { return; }
    var filters = region.querySelector("[data-dir-filters]");
    if (filters && filters.open && filters.contains(document.activeElement) && document.activeElement !== input) {
      closePanel(false);
    }
  });

  window.addEventListener("popstate", function () {
    typingEntry = false;
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    closeListbox();
    load(window.location.href, { history: null, log: false });
  });

  var searchWhileTyping = widgets.debounce(function () {
    // One history entry per burst of typing, not one per keystroke.
    var mode = typingEntry ? "replace" : "push";
    typingEntry = true;
    load(formUrl(), { history: mode, log: false });
  }, 300);
  input.addEventListener("input", function () {
    searchWhileTyping();
    requestSuggestions();
  });

  /* ------------------------------------------------------------ geolocation */

  function setPosition(lat, lon) {
    var latInput = region.querySelector("[data-dir-lat]");
    var lonInput = region.querySelector("[data-dir-lon]");
    if (latInput) { latInput.value = lat; }
    if (lonInput) { lonInput.value = lon; }
  }

  function locateMe() {
    var message = region.querySelector("[data-dir-geo-message]");
    if (!navigator.geolocation) {
      message.textContent = "Votre navigateur ne permet pas la géolocalisation : choisissez une ville.";
      return;
    }
    message.textContent = "Recherche de votre position…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var around = region.querySelector("#dir-around");
      if (around) { around.value = ""; }
      setPosition(position.coords.latitude.toFixed(5), position.coords.longitude.toFixed(5));
      searchNow("push");
    }, function () {
      message.textContent = "Position non disponible (autorisation refusée ou délai dépassé) : choisissez une ville.";
    }, { timeout: 10000, maximumAge: 300000 });
  }

  /* ------------------------------------------------- combobox (ARIA 1.2 list) */

  var options = [];
  var activeIndex = -1;
  var suggestRequest = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  function openListbox() {
    if (!options.length) { return; }
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function closeListbox() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    activeIndex = -1;
    markActive();
  }

  function markActive() {
    Array.prototype.forEach.call(listbox.children, function (li, index) {
      li.setAttribute("aria-selected", index === activeIndex ? "true" : "false");
    });
    if (activeIndex >= 0) {
      var li = listbox.children[activeIndex];
      input.setAttribute("aria-activedescendant", li.id);
      if (li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function renderOptions(items) {
    options = items;
    activeIndex = -1;
    listbox.innerHTML = "";
    items.forEach(function (item, index) {
      var li = widgets.optionElement("dir-q-option-" + index, "dir-option", item.label, "dir-option-kind",
        item.kind_label, function () { choose(index); });
      li.setAttribute("aria-selected", "false");
      listbox.appendChild(li);
    });
    if (items.length && document.activeElement === input) { openListbox(); } else { closeListbox(); }
  }

  var fetchSuggestions = widgets.debounce(function (prefix) {
    if (suggestRequest) { suggestRequest.abort(); }
    suggestRequest = new AbortController();
    fetch(suggestUrl + "?q=" + encodeURIComponent(prefix), { signal: suggestRequest.signal })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { renderOptions(data.suggestions || []); })
      .catch(function () { /* suggestions are a nicety: typing still searches */ });
  }, 150);

  function requestSuggestions() {
    fetchSuggestions.cancel();
    var prefix = input.value.trim();
    if (prefix.length < 2) { renderOptions([]); return; }
    fetchSuggestions(prefix);
  }

  function choose(index) {
    var item = options[index];
    if (!item) { return; }
    input.value = item.label;
    closeListbox();
    searchWhileTyping.cancel();
    searchNow("push");
  }

  input.addEventListener("keydown", function (event) {
    var open = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        if (!options.length) { return; }
        event.preventDefault();
        openListbox();
        activeIndex = event.altKey ? activeIndex : (activeIndex + 1) % options.length;
        markActive();
        break;
      case "ArrowUp":
        if (!options.length) { return; }
        event.preventDefault();
        openListbox();
        activeIndex = activeIndex <= 0 ? options.length - 1 : activeIndex - 1;
        markActive();
        break;
      case "Enter":
        if (open && activeIndex >= 0) {
          event.preventDefault();
          choose(activeIndex);
        } else {
          closeListbox();
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          closeListbox();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          renderOptions([]);
          input.dispatchEvent(new Event("input")); // results follow the emptied box
        }
        break;
      case "Tab":
        closeListbox();
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(closeListbox, 100);
  });

  /* -------------------------------------------------------------------- map */

  var leafletLoading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function withLeaflet(callback) {
    if (window.L && (window.L.markerClusterGroup || !clusterSrc)) { callback(window.L); return; }
    if (!leafletSrc) { return; }
    if (!leafletLoading) {
      leafletLoading = (window.L ? Promise.resolve() : loadScript(leafletSrc)).then(function () {
        // The clusters are a comfort: without them, plain markers still work.
        return clusterSrc ? loadScript(clusterSrc).catch(function () {}) : null;
      }).then(function () { return window.L; });
    }
    leafletLoading.then(callback, function () { showMapMessage("La carte n’a pas pu être chargée ; utilisez la liste."); });
  }

  var markersById = {};
  var markerLayer = null;

  function clusterIcon(L) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : (count < 50 ? "medium" : "large");
      // The icon is a keyboard-focusable button: its text is its name.
      return L.divIcon({
        html: "<div><span>" + count + "<span class=\"visually-hidden\"> structures ici : zoomer</span></span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40)
      });
    };
  }

  function locateOnMap(id) {
    var marker = markersById[id];
    if (!marker || !markerLayer) { return; }
    var mapElement = region.querySelector("[data-dir-map]");
    if (mapElement && mapElement.scrollIntoView) { mapElement.scrollIntoView({ block: "nearest" }); }
    var open = function () { marker.openPopup(); };
    if (markerLayer.zoomToShowLayer) { markerLayer.zoomToShowLayer(marker, open); } else { open(); }
  }

  function showMapMessage(text) {
    var message = region.querySelector("[data-dir-map-message]");
    if (message) { message.textContent = text; message.hidden = false; }
  }

  function initMap() {
    var element = region.querySelector("[data-dir-map]");
    var dataNode = document.getElementById("dir-map-data");
    if (!element || !dataNode) { return; }
    var points = JSON.parse(dataNode.textContent || "[]");
    withLeaflet(function (L) {
      element.innerHTML = "";
      var map = L.map(element, { scrollWheelZoom: false });
      var failed = false;
      L.tileLayer(element.getAttribute("data-tiles-url"), {
        attribution: element.getAttribute("data-tiles-attribution"),
        maxZoom: 18
      }).on("tileerror", function () {
        if (!failed) {
          failed = true;
          showMapMessage("Le fond de carte ne s’affiche pas (réseau ou service indisponible) ; les structures restent placées et listées ci-dessous.");
        }
      }).addTo(map);
      var bounds = [];
      markersById = {};
      markerLayer = L.markerClusterGroup
        ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, iconCreateFunction: clusterIcon(L) })
        : L.layerGroup();
      points.forEach(function (point) {
        var marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name, keyboard: true });
        var link = document.createElement("a");
        link.href = point.url;
        link.textContent = point.name;
        if (root.classList.contains("dir--embed")) {
          // Profiles refuse to be framed: from a partner's iframe they open in a new tab.
          link.target = "_blank";
          link.rel = "noopener";
        }
        var popup = document.createElement("div");
        popup.appendChild(link);
        if (point.city) { popup.appendChild(document.createTextNode(" — " + point.city)); }
        marker.bindPopup(popup);
        markerLayer.addLayer(marker);
        markersById[point.id] = marker;
        bounds.push([point.lat, point.lon]);
      });
      markerLayer.addTo(map);
      Array.prototype.forEach.call(region.querySelectorAll("[data-dir-locate]"), function (button) {
        button.hidden = !markersById[button.getAttribute("data-dir-locate")];
      });
      if (bounds.length) {
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
      } else {
        map.setView([50.6292, 3.0573], 11); // Lille
        showMapMessage("Aucune des structures trouvées n’a de position connue.");
      }
    });
  }

  /* ------------------------------------------------------------------ setup */

  // Filters fold away on phones (results first); the choice survives live refreshes.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 48em)") : { matches: false };
  var filtersOpen = !narrow.matches;

  function syncPanel() {
    // On phones an open panel covers the page: the page behind must not scroll.
    document.documentElement.classList.toggle("dir-panel-open", narrow.matches && filtersOpen);
    var show = region.querySelector("[data-dir-show-results]");
    if (show) { show.hidden = !narrow.matches; }
  }

  function closePanel(toResults) {
    var filters = region.querySelector("[data-dir-filters]");
    if (!filters) { return; }
    filters.open = false;
    filtersOpen = false;
    syncPanel();
    if (toResults) {
      var heading = document.getElementById("dir-results-title");
      if (heading) { heading.focus(); heading.scrollIntoView({ block: "start" }); }
    } else {
      filters.querySelector("summary").focus();
    }
  }

  if (narrow.addEventListener) {
    narrow.addEventListener("change", syncPanel);
  }

  function enhanceRegion() {
    var filters = region.querySelector("[data-dir-filters]");
    if (filters) {
      filters.open = filtersOpen;
      filters.addEventListener("toggle", function () { filtersOpen = filters.open; syncPanel(); });
    }
    syncPanel();
    var geo = region.querySelector("[data-dir-geolocate]");
    if (geo && navigator.geolocation) { geo.hidden = false; }
    initMap();
  }

  enhanceRegion();
  window.history.replaceState({ directory: true }, "", window.location.href);
})();
