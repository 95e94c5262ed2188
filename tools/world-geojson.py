#!/usr/bin/env python3
"""Converts Natural Earth 110 m countries (TopoJSON, npm `world-atlas@2` countries-110m.json) into the
small GeoJSON world layer Sightline's maps draw offline (public/vendor/world-110m.geojson).

Natural Earth is public domain. Standard library only, so it runs anywhere:

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python3 tools/world-geojson.py package/countries-110m.json public/vendor/world-110m.geojson

Coordinates are rounded to DECIMALS places (0.01 degree is about 1 km, far finer than the 110 m
scale's own detail), repeated points after rounding are dropped, and each feature keeps only its
name, so the file stays around 200 KB.
"""

import json
import sys

DECIMALS = 2


def decode_arcs(topology):
    """Absolute [lon, lat] points of every arc (TopoJSON arcs are delta-encoded when quantised)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = []
        x = y = 0
        for point in arc:
            if transform:
                x += point[0]
                y += point[1]
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append([x * sx + tx, y * sy + ty])
            else:
                points.append([point[0], point[1]])
        arcs.append(points)
    return arcs


def ring(indexes, arcs):
    """A closed ring from arc indexes; a negative index ~i means arc i reversed."""
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their joining point; keep it once.
        points.extend(arc if not points else arc[1:])
    return points


def quantise(points):
    out = []
    for lon, lat in points:
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def polygon(rings, arcs):
    closed = [quantise(ring(r, arcs)) for r in rings]
    # A ring needs four positions (three distinct points and the closing one) to enclose anything.
    return [r for r in closed if len(r) >= 4]


def geometry(geom, arcs):
    kind = geom.get("type")
    if kind == "Polygon":
        rings = polygon(geom["arcs"], arcs)
        return {"type": "Polygon", "coordinates": rings} if rings else None
    if kind == "MultiPolygon":
        polys = [p for p in (polygon(rings, arcs) for rings in geom["arcs"]) if p]
        return {"type": "MultiPolygon", "coordinates": polys} if polys else None
    return None


def main(source, target):
    with open(source, encoding="utf-8") as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        shape = geometry(geom, arcs)
        if shape is None:
            continue
        name = (geom.get("properties") or {}).get("name", "")
        features.append({"type": "Feature", "properties": {"name": name}, "geometry": shape})
    collection = {"type": "FeatureCollection", "features": features}
    with open(target, "w", encoding="utf-8") as f:
        json.dump(collection, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"{len(features)} countries written to {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: world-geojson.py countries-110m.json world-110m.geojson")
    main(sys.argv[1], sys.argv[2])
