import Foundation

/// Distances on a sphere of the mean Earth radius, for lon/lat degrees.
///
/// The sphere is off the WGS84 ellipsoid by up to about 0.5%; everything here is consistent with
/// `distance(_:_:)` (haversine), which is what callers compare against.
public enum Geodesy {
    /// Mean Earth radius (IUGG), metres.
    public static let earthRadius: Double = 6_371_008.8

    @usableFromInline static let radiansPerDegree = Double.pi / 180

    /// Great-circle distance in metres (haversine, stable for short distances).
    public static func distance(_ a: Point, _ b: Point) -> Double {
        earthRadius * centralAngle(lon1: a.x * radiansPerDegree, lat1: a.y * radiansPerDegree,
                                   lon2: b.x * radiansPerDegree, lat2: b.y * radiansPerDegree)
    }

    /// Angle at the Earth's centre between two positions given in radians.
    static func centralAngle(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        let sinHalfLat = sin((lat2 - lat1) / 2), sinHalfLon = sin((lon2 - lon1) / 2)
        let h = sinHalfLat * sinHalfLat + cos(lat1) * cos(lat2) * sinHalfLon * sinHalfLon
        return 2 * asin(Swift.min(1, h.squareRoot()))
    }

    /// A lower bound (never more than the haversine distance) from `point` to the nearest point of the
    /// lon/lat rect; 0 when inside; `.infinity` for an empty rect.
    ///
    /// Exact up to rounding (then shrunk by a relative 1e-9 so rounding cannot overestimate): with the
    /// point's longitude inside the rect's span the nearest point is straight north or south; otherwise
    /// it lies on one of the two meridian edges, where distance along the edge has a single minimum at
    /// the foot of the perpendicular (clamped to the edge). Parallels are never closer than their
    /// corners. Longitudes wrap, so a rect at -180 is near a point at 179.
    public static func minimumDistance(from point: Point, to rect: Rect) -> Double {
        guard !rect.isEmpty else { return .infinity }
        if rect.contains(point) { return 0 }
        let lat = point.y * radiansPerDegree
        let minLat = rect.minY * radiansPerDegree, maxLat = rect.maxY * radiansPerDegree
        let angle: Double
        if rect.minX <= point.x && point.x <= rect.maxX {
            angle = lat > maxLat ? lat - maxLat : minLat - lat
        } else {
            let lon = point.x * radiansPerDegree
            func toMeridian(_ edgeLon: Double) -> Double {
                let dLon = edgeLon - lon
                // Latitude on that meridian's great circle closest to the point.
                let foot = atan2(sin(lat), cos(lat) * cos(dLon))
                var best = Swift.min(centralAngle(lon1: lon, lat1: lat, lon2: edgeLon, lat2: minLat),
                                     centralAngle(lon1: lon, lat1: lat, lon2: edgeLon, lat2: maxLat))
                if minLat <= foot && foot <= maxLat {
                    best = Swift.min(best, centralAngle(lon1: lon, lat1: lat, lon2: edgeLon, lat2: foot))
                }
                return best
            }
            angle = Swift.min(toMeridian(rect.minX * radiansPerDegree), toMeridian(rect.maxX * radiansPerDegree))
        }
        return Swift.max(0, earthRadius * angle * (1 - 1e-9))
    }

    /// A cheap lower bound on the distance from `point` to any point of the lon/lat rect: never more
    /// than `minimumDistance`, at the cost of a few multiplications and one square root instead of
    /// about ten trigonometric calls.
    ///
    /// For pruning many nodes (nearest-neighbour search over many trees), where a slightly looser bound
    /// evaluated fast beats an exact one. From the haversine formula, for any point q of the rect,
    /// sin²(d/2R) = sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2) ≥ s(gφ/2)² + cos² φmax·s(gλ/2)², where gφ and gλ
    /// are the latitude and longitude gaps (longitude wrapping at ±180°), φmax the largest |latitude| of
    /// the point and the rect, and s(x) = x − x³/6 ≤ sin x; with asin y ≥ y that gives
    /// d ≥ 2R·√(…). It is also at least R·gφ (no path is shorter than the latitude it covers).
    /// Within 1% of the exact bound for city-scale neighbourhoods below 70° latitude. Shrunk by a
    /// relative 1e-9 so rounding cannot overestimate. 0 inside; `.infinity` for an empty rect.
    public static func quickLowerBound(from point: Point, to rect: Rect) -> Double {
        guard !rect.isEmpty else { return .infinity }
        let latitudeGap = Swift.max(0, rect.minY - point.y, point.y - rect.maxY) * radiansPerDegree
        var longitudeGap = 0.0
        if !(rect.minX <= point.x && point.x <= rect.maxX) {
            // Longitudes are within ±180, so one fold replaces a remainder; a difference past 360
            // (out-of-range input) folds to 0, which is still a lower bound.
            func separation(_ a: Double, _ b: Double) -> Double {
                let d = Swift.min(abs(a - b), 360)
                return d > 180 ? 360 - d : d
            }
            longitudeGap = Swift.min(separation(point.x, rect.minX), separation(point.x, rect.maxX)) * radiansPerDegree
        }
        func belowSine(_ x: Double) -> Double { Swift.max(0, x - x * x * x / 6) }
        let largestLatitude = Swift.min(90, Swift.max(abs(point.y), abs(rect.minY), abs(rect.maxY)))
        let latitudeTerm = belowSine(latitudeGap / 2)
        // cos x ≥ 1 − x²/2 + x⁴/24 − x⁶/720 for every x (the Taylor series cut after a negative term),
        // within 0.0002 of cos on [0°, 90°]: a lower bound without a libm call.
        let x2 = largestLatitude * radiansPerDegree * largestLatitude * radiansPerDegree
        let cosineBelow = Swift.max(0, 1 - x2 / 2 + x2 * x2 / 24 - x2 * x2 * x2 / 720)
        let longitudeTerm = cosineBelow * belowSine(longitudeGap / 2)
        let combined = 2 * (latitudeTerm * latitudeTerm + longitudeTerm * longitudeTerm).squareRoot()
        return earthRadius * Swift.max(latitudeGap, combined) * (1 - 1e-9)
    }

    /// Distance in metres from `point` to the nearest point of `geometry`; 0 inside or on a polygon.
    ///
    /// Outside a polygon, each edge is measured as the great-circle arc between its vertices, while
    /// `contains` treats edges as straight in lon/lat: the two differ by the arc's bulge (metres on
    /// city-scale edges), so treat this as approximate near long edges.
    public static func distance(from point: Point, to geometry: Geometry) -> Double {
        switch geometry {
        case .point(let p): return distance(point, p)
        case .polygon(let polygon): return distance(from: point, to: [polygon])
        case .multiPolygon(let multi): return distance(from: point, to: multi.polygons)
        }
    }

    private static func distance(from point: Point, to polygons: [Polygon]) -> Double {
        var best = Double.infinity  // metres
        let p = UnitVector(point)
        for polygon in polygons where minimumDistance(from: point, to: polygon.bounds) < best {
            if polygon.contains(point) { return 0 }
            var angle = Double.infinity
            for ring in polygon.rings {
                let pts = ring.points
                for i in 0..<ring.edgeCount {
                    angle = Swift.min(angle, angleToArc(p, UnitVector(pts[i]), UnitVector(pts[i + 1])))
                }
            }
            best = Swift.min(best, angle * earthRadius)
        }
        return best
    }

    /// Smallest central angle from `p` to the minor great-circle arc `a`–`b`.
    private static func angleToArc(_ p: UnitVector, _ a: UnitVector, _ b: UnitVector) -> Double {
        let toEnds = Swift.min(p.angle(to: a), p.angle(to: b))
        let normal = a.cross(b)
        let length = normal.length
        guard length > 1e-15 else { return toEnds }
        let n = normal.scaled(1 / length)
        let s = p.dot(n)
        let foot = UnitVector(x: p.x - s * n.x, y: p.y - s * n.y, z: p.z - s * n.z)
        // The foot is on the arc when it lies between a and b (same side tests against the normal).
        guard a.cross(foot).dot(n) >= 0, foot.cross(b).dot(n) >= 0 else { return toEnds }
        return Swift.min(toEnds, asin(Swift.min(1, abs(s))))
    }

    /// A lon/lat rect holding every point within `radius` metres of `center`.
    ///
    /// Latitudes are clamped to [-90, 90]; when the circle reaches a pole the rect spans all longitudes.
    /// The longitude half-width is the exact spherical-cap extent asin(sin δ / cos φ). When the circle
    /// would cross the antimeridian the rect widens to the full range [-180, 180] (a Rect cannot wrap),
    /// so callers near ±180° get a correct but loose rect. A tiny pad absorbs rounding. Negative or NaN
    /// radius is treated as 0.
    public static func boundingRect(around center: Point, radius: Double) -> Rect {
        let delta = (radius > 0 ? radius : 0) / earthRadius
        let pad = 1e-9
        guard delta < Double.pi else { return Rect(minX: -180, minY: -90, maxX: 180, maxY: 90) }
        let deltaDegrees = delta / radiansPerDegree
        let minLat = center.y - deltaDegrees - pad, maxLat = center.y + deltaDegrees + pad
        if maxLat >= 90 || minLat <= -90 {
            return Rect(minX: -180, minY: Swift.max(-90, minLat), maxX: 180, maxY: Swift.min(90, maxLat))
        }
        let ratio = sin(delta) / cos(center.y * radiansPerDegree)
        guard ratio < 1 else { return Rect(minX: -180, minY: minLat, maxX: 180, maxY: maxLat) }
        let halfWidth = asin(ratio) / radiansPerDegree + pad
        let minLon = center.x - halfWidth, maxLon = center.x + halfWidth
        if minLon < -180 || maxLon > 180 {
            return Rect(minX: -180, minY: minLat, maxX: 180, maxY: maxLat)
        }
        return Rect(minX: minLon, minY: minLat, maxX: maxLon, maxY: maxLat)
    }
}

/// A point on the unit sphere, for arc geometry.
private struct UnitVector {
    var x, y, z: Double

    init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    init(_ p: Point) {
        let lon = p.x * Geodesy.radiansPerDegree, lat = p.y * Geodesy.radiansPerDegree
        self.init(x: cos(lat) * cos(lon), y: cos(lat) * sin(lon), z: sin(lat))
    }

    func dot(_ o: UnitVector) -> Double { x * o.x + y * o.y + z * o.z }
    func cross(_ o: UnitVector) -> UnitVector {
        UnitVector(x: y * o.z - z * o.y, y: z * o.x - x * o.z, z: x * o.y - y * o.x)
    }
    var length: Double { dot(self).squareRoot() }
    func scaled(_ k: Double) -> UnitVector { UnitVector(x: x * k, y: y * k, z: z * k) }

    /// Central angle, accurate for small and large angles alike.
    func angle(to o: UnitVector) -> Double { atan2(cross(o).length, dot(o)) }
}
