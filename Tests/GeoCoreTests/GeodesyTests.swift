import XCTest
import GeoCore
import TestSupport

final class GeodesyTests: XCTestCase {
    private func p(_ lon: Double, _ lat: Double) -> Point { Point(lon: lon, lat: lat) }

    /// Destination from `start` after `distance` metres on initial `bearing` (radians): the plain
    /// spherical formula, used to place points at known distances.
    static func destination(_ start: Point, bearing: Double, distance: Double) -> Point {
        let delta = distance / Geodesy.earthRadius
        let lat1 = start.lat * .pi / 180, lon1 = start.lon * .pi / 180
        let lat2 = asin(sin(lat1) * cos(delta) + cos(lat1) * sin(delta) * cos(bearing))
        let lon2 = lon1 + atan2(sin(bearing) * sin(delta) * cos(lat1), cos(delta) - sin(lat1) * sin(lat2))
        var lon = lon2 * 180 / .pi
        lon = (lon + 540).truncatingRemainder(dividingBy: 360) - 180
        return Point(lon: lon, lat: lat2 * 180 / .pi)
    }

    func testKnownDistances() {
        XCTAssertEqual(Geodesy.earthRadius, 6_371_008.8)
        XCTAssertEqual(Geodesy.distance(p(0, 0), p(1, 0)), 111_195.08, accuracy: 0.05)
        XCTAssertEqual(Geodesy.distance(p(10, 0), p(10, 1)), 111_195.08, accuracy: 0.05)
        XCTAssertEqual(Geodesy.distance(p(5, 5), p(5, 5)), 0)
        XCTAssertEqual(Geodesy.distance(p(0, 0), p(180, 0)), Double.pi * Geodesy.earthRadius, accuracy: 1e-6)
        XCTAssertEqual(Geodesy.distance(p(179.5, 0), p(-179.5, 0)), 111_195.08, accuracy: 0.05, "across the antimeridian")
        // Paris – London, 343.5 km great-circle (published figure); within 0.5%.
        let parisLondon = Geodesy.distance(p(2.3522, 48.8566), p(-0.1278, 51.5074))
        XCTAssertEqual(parisLondon, 343_500, accuracy: 343_500 * 0.005)
        // Montreal – Toronto, about 504 km.
        XCTAssertEqual(Geodesy.distance(p(-73.5673, 45.5017), p(-79.3832, 43.6532)), 504_000, accuracy: 504_000 * 0.005)
    }

    func testMinimumDistanceHandCases() {
        let box = Rect(minX: 10, minY: 40, maxX: 20, maxY: 50)
        XCTAssertEqual(Geodesy.minimumDistance(from: p(15, 45), to: box), 0)
        XCTAssertEqual(Geodesy.minimumDistance(from: p(10, 40), to: box), 0)
        XCTAssertEqual(Geodesy.minimumDistance(from: p(15, 52), to: box), Geodesy.distance(p(15, 52), p(15, 50)),
                       accuracy: 0.01)
        XCTAssertEqual(Geodesy.minimumDistance(from: p(0, 0), to: .empty), .infinity)
        // Wraps: a rect at the antimeridian is close to a point just across it.
        let east = Rect(minX: -180, minY: -1, maxX: -179, maxY: 1)
        XCTAssertEqual(Geodesy.minimumDistance(from: p(179.5, 0), to: east), 55_597.5, accuracy: 1)
    }

    /// The quick bound never exceeds the exact one (so never the distance to any point of the rect),
    /// and is still useful: within a few percent of it for city-scale neighbourhoods.
    func testQuickLowerBoundNeverExceedsTheExactBound() {
        var rng = SeededGenerator(seed: 52)
        for round in 0..<2_000 {
            let wide = round % 2 == 0
            let lon = rng.nextDouble(in: -180..<179), lat = rng.nextDouble(in: -89..<88)
            let size = wide ? rng.nextDouble(in: 0.001..<40) : rng.nextDouble(in: 0.0001..<0.05)
            let box = Rect(minX: lon, minY: lat, maxX: min(180, lon + size), maxY: min(90, lat + size))
            let point = wide ? p(rng.nextDouble(in: -180..<180), rng.nextDouble(in: -90..<90))
                             : p(lon + rng.nextDouble(in: -0.2..<0.2), lat + rng.nextDouble(in: -0.2..<0.2))
            let quick = Geodesy.quickLowerBound(from: point, to: box)
            let exact = Geodesy.minimumDistance(from: point, to: box)
            XCTAssertGreaterThanOrEqual(quick, 0)
            XCTAssertLessThanOrEqual(quick, exact * (1 + 1e-12) + 1e-9, "\(point) to \(box)")
            for _ in 0..<5 {
                let q = p(rng.nextDouble(in: box.minX..<box.maxX), rng.nextDouble(in: box.minY..<box.maxY))
                XCTAssertLessThanOrEqual(quick, Geodesy.distance(point, q))
            }
            if !wide && abs(point.y) < 70 && exact > 0 {
                XCTAssertGreaterThanOrEqual(quick, exact * 0.9, "\(point) to \(box): useless bound")
            }
        }
        XCTAssertEqual(Geodesy.quickLowerBound(from: p(15, 45), to: Rect(minX: 10, minY: 40, maxX: 20, maxY: 50)), 0)
        XCTAssertEqual(Geodesy.quickLowerBound(from: p(0, 0), to: .empty), .infinity)
        // Wraps at the antimeridian like the exact bound.
        let east = Rect(minX: -180, minY: -1, maxX: -179, maxY: 1)
        XCTAssertEqual(Geodesy.quickLowerBound(from: p(179.5, 0), to: east), 55_597.5, accuracy: 200)
    }

    /// Never more than the distance to any point of the rect, and close to the true minimum found by
    /// dense sampling of the rect's boundary (so it is a useful bound, not just 0).
    func testMinimumDistanceIsATightLowerBound() {
        var rng = SeededGenerator(seed: 51)
        for _ in 0..<400 {
            let lon = rng.nextDouble(in: -180..<170), lat = rng.nextDouble(in: -89..<80)
            let box = Rect(minX: lon, minY: lat, maxX: min(180, lon + rng.nextDouble(in: 0.001..<30)),
                           maxY: min(90, lat + rng.nextDouble(in: 0.001..<30)))
            let point = p(rng.nextDouble(in: -180..<180), rng.nextDouble(in: -90..<90))
            let bound = Geodesy.minimumDistance(from: point, to: box)
            XCTAssertGreaterThanOrEqual(bound, 0)
            for _ in 0..<30 {
                let q = p(rng.nextDouble(in: box.minX..<box.maxX), rng.nextDouble(in: box.minY..<box.maxY))
                XCTAssertLessThanOrEqual(bound, Geodesy.distance(point, q), "\(point) to \(box)")
            }
            guard !box.contains(point) else { continue }
            var sampled = Double.infinity
            let steps = 400
            for k in 0...steps {
                let t = Double(k) / Double(steps)
                let x = box.minX + t * box.width, y = box.minY + t * box.height
                for q in [p(x, box.minY), p(x, box.maxY), p(box.minX, y), p(box.maxX, y)] {
                    sampled = min(sampled, Geodesy.distance(point, q))
                }
            }
            XCTAssertLessThanOrEqual(bound, sampled)
            XCTAssertGreaterThanOrEqual(bound, sampled * 0.999 - 1, "\(point) to \(box): loose bound")
        }
    }

    func testBoundingRectContainsEveryPointWithinRadius() {
        var rng = SeededGenerator(seed: 52)
        for round in 0..<300 {
            // Include centres near the poles and the antimeridian.
            let lat = round % 10 == 0 ? rng.nextDouble(in: 85..<90) : rng.nextDouble(in: -80..<80)
            let lon = round % 7 == 0 ? rng.nextDouble(in: 179..<180) : rng.nextDouble(in: -180..<180)
            let center = p(lon, lat)
            let radius = exp(rng.nextDouble(in: log(1)..<log(3_000_000)))
            let box = Geodesy.boundingRect(around: center, radius: radius)
            XCTAssertTrue(box.contains(center))
            XCTAssertGreaterThanOrEqual(box.minY, -90)
            XCTAssertLessThanOrEqual(box.maxY, 90)
            for _ in 0..<50 {
                let q = Self.destination(center, bearing: rng.nextDouble(in: 0..<(2 * .pi)),
                                         distance: radius * rng.nextDouble(in: 0..<1))
                XCTAssertTrue(box.contains(q), "\(q) within \(radius) m of \(center) but outside \(box)")
            }
            // Due north/south/east/west at exactly the radius.
            for bearing in [0, Double.pi / 2, Double.pi, 3 * Double.pi / 2] {
                let q = Self.destination(center, bearing: bearing, distance: radius)
                XCTAssertTrue(box.contains(q), "\(q) at bearing \(bearing)")
            }
        }
        // Not needlessly loose away from poles and the antimeridian: height is exactly 2·radius.
        let box = Geodesy.boundingRect(around: p(-73.6, 45.5), radius: 10_000)
        XCTAssertEqual(box.height, 2 * 10_000 / Geodesy.earthRadius * 180 / .pi, accuracy: 1e-8)
        XCTAssertLessThan(box.width, 0.26)
        XCTAssertEqual(Geodesy.boundingRect(around: p(0, 89.99), radius: 10_000).width, 360)
    }

    func testDistanceToGeometry() throws {
        let square = try Polygon(exterior: [p(0, 0), p(1, 0), p(1, 1), p(0, 1), p(0, 0)])
        XCTAssertEqual(Geodesy.distance(from: p(0.5, 0.5), to: .polygon(square)), 0)
        XCTAssertEqual(Geodesy.distance(from: p(1, 0.5), to: .polygon(square)), 0, "boundary")
        // East of the square at the equator: nearest point is on the meridian edge lon = 1.
        let east = Geodesy.distance(from: p(2, 0.5), to: .polygon(square))
        XCTAssertEqual(east, Geodesy.distance(p(2, 0.5), p(1, 0.5)), accuracy: 2)
        XCTAssertEqual(Geodesy.distance(from: p(2, 2), to: .point(p(2, 3))), Geodesy.distance(p(2, 2), p(2, 3)))
        let multi = MultiPolygon([square, try Polygon(exterior: [p(5, 0), p(6, 0), p(6, 1), p(5, 0)])])
        XCTAssertEqual(Geodesy.distance(from: p(6.5, 0.5), to: .multiPolygon(multi)),
                       Geodesy.distance(p(6.5, 0.5), p(6, 0.5)), accuracy: 2)

        // Against dense sampling of the edges (straight in lon/lat, while `distance` measures great-circle
        // arcs, which bow slightly away: allow 0.1%): close to the sampled minimum.
        var rng = SeededGenerator(seed: 53)
        let ring = Shapes.star(center: p(-73.6, 45.5), vertices: 25, radii: 0.05...0.2, using: &rng)
        let star = try Polygon(exterior: ring)
        for _ in 0..<100 {
            let q = p(rng.nextDouble(in: -74.2..<(-73.0)), rng.nextDouble(in: 45.0..<46.0))
            let d = Geodesy.distance(from: q, to: .polygon(star))
            if star.contains(q) { XCTAssertEqual(d, 0); continue }
            var sampled = Double.infinity
            for i in 0..<(ring.count - 1) {
                for k in 0...200 {
                    let t = Double(k) / 200
                    sampled = min(sampled, Geodesy.distance(q, p(ring[i].x + t * (ring[i + 1].x - ring[i].x),
                                                                 ring[i].y + t * (ring[i + 1].y - ring[i].y))))
                }
            }
            XCTAssertLessThanOrEqual(d, sampled * 1.001 + 1e-6)
            XCTAssertGreaterThan(d, sampled * 0.99 - 5, "\(q)")
        }
    }
}
