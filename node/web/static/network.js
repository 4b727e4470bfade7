// The network's map: progressive enhancement of the list of places (the page reads without
// it). Reads the places from the page's JSON block, shows them on OpenStreetMap tiles with
// Leaflet, and takes the map away, saying so, when the tiles cannot load: the list stays.
(function () {
  "use strict";
  var box = document.getElementById("network-map");
  var data = document.getElementById("network-places");
  var failed = document.getElementById("network-map-failed");
  if (!box || !data || typeof window.L === "undefined") return;
  var places;
  try {
    places = JSON.parse(data.textContent || "[]");
  } catch (e) {
    return;
  }
  if (!places.length) return;

  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  var gaveUp = false;
  function giveUp() {
    // One failed tile is enough to say the tiles are out of reach (offline, blocked):
    // a grey square with markers would say less than the list under it.
    if (gaveUp) return;
    gaveUp = true;
    map.remove();
    box.hidden = true;
    if (failed) failed.hidden = false;
  }
  var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  });
  tiles.on("tileerror", giveUp);
  tiles.addTo(map);

  var points = [];
  places.forEach(function (place) {
    var point = [place.lat, place.lon];
    points.push(point);
    var marker = place.here
      ? L.circleMarker(point, { radius: 9, color: "#b3261e", fillOpacity: 0.8 })
      : L.marker(point, { title: place.name, alt: place.name });
    // textContent, never HTML: a place's name is a peer's text.
    var label = document.createElement(/^https?:\/\//i.test(place.url) ? "a" : "span");
    if (label.tagName === "A") label.href = place.url;
    label.textContent = place.name;
    marker.bindPopup(label);
    marker.addTo(map);
  });
  if (points.length === 1) {
    map.setView(points[0], 13);
  } else {
    map.fitBounds(points, { padding: [30, 30], maxZoom: 13 });
  }
})();
