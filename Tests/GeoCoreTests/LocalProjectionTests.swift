import XCTest
import GeoCore
import TestSupport

final class LocalProjectionTests: XCTestCase {
    func testProjectUnprojectRoundTrip() {
        var rng = SeededGenerator(seed: 61)
        for _ in 0..<1_000 {
            let origin = Point(lon: rng.nextDouble(in: -180..<180), lat: rng.nextDouble(in: -85..<85))
            let projection = LocalProjection(origin: origin)
            XCTAssertEqual(projection.project(origin), Point(x: 0, y: 0))
            let q = GeodesyTests.destination(origin, bearing: rng.nextDouble(in: 0..<(2 * .pi)),
                                             distance: rng.nextDouble(in: 0..<100_000))
            let back = projection.unproject(projection.project(q))
            XCTAssertEqual(back.lat, q.lat, accuracy: 1e-9)
            let dLon = (back.lon - q.lon).remainder(dividingBy: 360)
            XCTAssertEqual(dLon, 0, accuracy: 1e-9)
            XCTAssertTrue((-180...180).contains(back.lon))
        }
        // Metres: 1° of latitude is R·π/180.
        let projection = LocalProjection(origin: Point(lon: -73.6, lat: 45.5))
        XCTAssertEqual(projection.project(Point(lon: -73.6, lat: 46.5)).y, 111_195.08, accuracy: 0.05)
        // Continuous across the antimeridian.
        let dateLine = LocalProjection(origin: Point(lon: 179.9, lat: 0))
        XCTAssertEqual(dateLine.project(Point(lon: -179.9, lat: 0)).x, 0.2 * 111_195.08, accuracy: 0.05)
    }

    func testBoundFormula() {
        XCTAssertEqual(LocalProjection.relativeErrorBound(latitude: 45, extent: 0), 0)
        XCTAssertEqual(LocalProjection.relativeErrorBound(latitude: 89.9, extent: 50_000), .infinity)
        let montreal = LocalProjection.relativeErrorBound(latitude: 45.5, extent: 50_000)
        XCTAssertGreaterThan(montreal, 0.007)
        XCTAssertLessThan(montreal, 0.009)
        // Symmetric in hemisphere; grows with latitude and extent.
        XCTAssertEqual(LocalProjection.relativeErrorBound(latitude: -30, extent: 10_000),
                       LocalProjection.relativeErrorBound(latitude: 30, extent: 10_000))
        XCTAssertLessThan(LocalProjection.relativeErrorBound(latitude: 10, extent: 10_000),
                          LocalProjection.relativeErrorBound(latitude: 60, extent: 10_000))
    }

    /// Random pairs within `extent` of the origin: |projected − haversine| / haversine never exceeds the
    /// bound, and the worst observed error reaches a good fraction of it (the bound is not vacuous).
    func testErrorBoundHoldsOnRandomPairs() {
        var rng = SeededGenerator(seed: 62)
        for round in 0..<60 {
            let origin = Point(lon: rng.nextDouble(in: -180..<180), lat: rng.nextDouble(in: -80..<80))
            let extent = [1_000.0, 20_000, 200_000][round % 3]
            let bound = LocalProjection.relativeErrorBound(latitude: origin.lat, extent: extent)
            let projection = LocalProjection(origin: origin)
            var worst = 0.0
            for _ in 0..<300 {
                let a = GeodesyTests.destination(origin, bearing: rng.nextDouble(in: 0..<(2 * .pi)),
                                                 distance: extent * rng.nextDouble(in: 0..<1).squareRoot())
                let b = GeodesyTests.destination(origin, bearing: rng.nextDouble(in: 0..<(2 * .pi)),
                                                 distance: extent * rng.nextDouble(in: 0..<1).squareRoot())
                let truth = Geodesy.distance(a, b)
                guard truth > 1 else { continue }
                let pa = projection.project(a), pb = projection.project(b)
                let planar = ((pa.x - pb.x) * (pa.x - pb.x) + (pa.y - pb.y) * (pa.y - pb.y)).squareRoot()
                let error = abs(planar - truth) / truth
                worst = max(worst, error)
                XCTAssertLessThanOrEqual(error, bound + 1e-9, "origin \(origin) extent \(extent): \(a) \(b)")
            }
            if abs(origin.lat) > 20 { XCTAssertGreaterThan(worst, bound * 0.2, "origin \(origin) extent \(extent)") }
        }
    }
}
