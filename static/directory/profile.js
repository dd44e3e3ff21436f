/*
 * LaGrappe profile: a small map of the structure's location, from the vendored
 * Leaflet, loaded only on profiles that have coordinates. Without JavaScript (or
 * if Leaflet fails) the address and the OpenStreetMap link next to it remain.
 */
(function () {
  "use strict";
  var element = document.querySelector("[data-profile-map]");
  var script = document.currentScript || document.querySelector("script[data-leaflet-src]");
  if (!element || !script) { return; }

  function draw(L) {
    var point = [parseFloat(element.getAttribute("data-lat")), parseFloat(element.getAttribute("data-lon"))];
    var map = L.map(element, { scrollWheelZoom: false, dragging: !L.Browser.mobile, tap: false }).setView(point, 15);
    L.tileLayer(element.getAttribute("data-tiles-url"), {
      attribution: element.getAttribute("data-tiles-attribution"),
      maxZoom: 18
    }).addTo(map);
    var name = element.getAttribute("data-name");
    L.marker(point, { title: name, alt: name, keyboard: false }).addTo(map);
    element.classList.add("profile-map--ready");
  }

  if (window.L) { draw(window.L); return; }
  var tag = document.createElement("script");
  tag.src = script.getAttribute("data-leaflet-src");
  tag.onload = function () { draw(window.L); };
  document.head.appendChild(tag);
})();
