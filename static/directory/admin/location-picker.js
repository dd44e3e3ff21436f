/* The structure form's map (directory/admin_panels.py): click or drag to set latitude/longitude. */
(function () {
  "use strict";

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function setUp(container) {
    if (container.dataset.ready || typeof L === "undefined") return;
    container.dataset.ready = "true";
    var latInput = document.getElementById(container.dataset.latitudeInput);
    var lngInput = document.getElementById(container.dataset.longitudeInput);
    if (!latInput || !lngInput) return;
    var mapElement = container.querySelector("[data-location-map]");
    var status = container.querySelector("[data-location-status]");

    function current() {
      var lat = parseFloat(latInput.value.replace(",", "."));
      var lng = parseFloat(lngInput.value.replace(",", "."));
      return isNaN(lat) || isNaN(lng) ? null : [lat, lng];
    }

    var point = current();
    var map = L.map(mapElement).setView(
      point || [parseFloat(container.dataset.defaultLatitude), parseFloat(container.dataset.defaultLongitude)],
      point ? 16 : 11
    );
    if (container.dataset.tilesUrl) {
      L.tileLayer(container.dataset.tilesUrl, { attribution: container.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);
    }
    var marker = null;

    function place(latlng, fromInputs) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Position de la structure" }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false); });
      } else {
        marker.setLatLng(latlng);
      }
      if (!fromInputs) {
        latInput.value = round(latlng.lat);
        lngInput.value = round(latlng.lng);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
        lngInput.dispatchEvent(new Event("change", { bubbles: true }));
        if (status) status.textContent = "Position placée à la main : enregistrez pour la garder.";
      }
    }

    if (point) place(L.latLng(point[0], point[1]), true);
    map.on("click", function (event) { place(event.latlng, false); });
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener("input", function () {
        var typed = current();
        if (typed) { place(L.latLng(typed[0], typed[1]), true); map.panTo(typed); }
      });
    });
    // The map may start in a hidden tab (« Coordonnées »): redraw once it gets a size.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize(); }).observe(mapElement);
    }
  }

  function init() {
    document.querySelectorAll("[data-location-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
