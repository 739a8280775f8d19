import XCTest
import GeoCore
import TestSupport

final class OrientationAndSegmentTests: XCTestCase {
    func testOrientationBasics() {
        let a = Point(x: 0, y: 0), b = Point(x: 1, y: 0)
        XCTAssertEqual(Orientation.of(a, b, Point(x: 0.5, y: 1)), .counterClockwise)
        XCTAssertEqual(Orientation.of(a, b, Point(x: 0.5, y: -1)), .clockwise)
        XCTAssertEqual(Orientation.of(a, b, Point(x: 7, y: 0)), .collinear)
        XCTAssertEqual(Orientation.of(a, a, Point(x: 3, y: 4)), .collinear)
    }

    /// The classic failure of naive orientation: p = (0.5 + i·u, 0.5 + j·u), u = 2^-53, against the line
    /// (12, 12)–(24, 24). Exactly, det = 12·u·(j − i), so the sign must be sign(j − i) everywhere.
    func testOrientationIsExactNearDegenerateInput() {
        let u = 0x1p-53
        let q = Point(x: 12, y: 12), r = Point(x: 24, y: 24)
        var naiveWrong = 0
        for i in 0..<64 {
            for j in 0..<64 {
                let p = Point(x: 0.5 + Double(i) * u, y: 0.5 + Double(j) * u)
                let expected: Orientation = j > i ? .counterClockwise : (j < i ? .clockwise : .collinear)
                XCTAssertEqual(Orientation.of(p, q, r), expected, "i=\(i) j=\(j)")
                let naive = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
                if (naive > 0 ? 1 : naive < 0 ? -1 : 0) != Int(expected.rawValue) { naiveWrong += 1 }
            }
        }
        XCTAssertGreaterThan(naiveWrong, 0, "the case should defeat plain floating point")
    }

    func testSegmentHandCases() {
        let s = Segment(Point(x: 0, y: 0), Point(x: 4, y: 0))
        // Crossing.
        XCTAssertTrue(s.intersects(Segment(Point(x: 2, y: -1), Point(x: 2, y: 1))))
        XCTAssertTrue(s.properlyIntersects(Segment(Point(x: 2, y: -1), Point(x: 2, y: 1))))
        // T-touch: endpoint on interior.
        XCTAssertTrue(s.intersects(Segment(Point(x: 2, y: 0), Point(x: 2, y: 1))))
        XCTAssertFalse(s.properlyIntersects(Segment(Point(x: 2, y: 0), Point(x: 2, y: 1))))
        // Shared endpoint.
        XCTAssertTrue(s.intersects(Segment(Point(x: 4, y: 0), Point(x: 5, y: 5))))
        // Collinear overlap, collinear disjoint, collinear touching.
        XCTAssertTrue(s.intersects(Segment(Point(x: 3, y: 0), Point(x: 9, y: 0))))
        XCTAssertFalse(s.properlyIntersects(Segment(Point(x: 3, y: 0), Point(x: 9, y: 0))))
        XCTAssertFalse(s.intersects(Segment(Point(x: 5, y: 0), Point(x: 9, y: 0))))
        XCTAssertTrue(s.intersects(Segment(Point(x: 4, y: 0), Point(x: 9, y: 0))))
        // Parallel.
        XCTAssertFalse(s.intersects(Segment(Point(x: 0, y: 1), Point(x: 4, y: 1))))
        // Zero-length segments behave as points.
        XCTAssertTrue(s.intersects(Segment(Point(x: 1, y: 0), Point(x: 1, y: 0))))
        XCTAssertFalse(s.intersects(Segment(Point(x: 1, y: 1e-300), Point(x: 1, y: 1e-300))))
        let dot = Segment(Point(x: 1, y: 1), Point(x: 1, y: 1))
        XCTAssertTrue(dot.intersects(dot))
        XCTAssertFalse(dot.intersects(Segment(Point(x: 1, y: 2), Point(x: 1, y: 2))))
        XCTAssertFalse(dot.properlyIntersects(dot))
    }

    func testSquaredDistance() {
        let s = Segment(Point(x: 0, y: 0), Point(x: 4, y: 0))
        XCTAssertEqual(s.squaredDistance(to: Point(x: 2, y: 3)), 9)
        XCTAssertEqual(s.squaredDistance(to: Point(x: -3, y: 4)), 25)
        XCTAssertEqual(s.squaredDistance(to: Point(x: 7, y: -4)), 25)
        XCTAssertEqual(Segment(Point(x: 1, y: 1), Point(x: 1, y: 1)).squaredDistance(to: Point(x: 4, y: 5)), 25)
    }

    /// Small integer grid: many collinear, touching and degenerate cases, compared with an exact
    /// integer parametric solution.
    func testSegmentIntersectionMatchesExactReference() {
        var rng = SeededGenerator(seed: 11)
        func coordinate() -> Double { Double(Int(rng.next() % 7)) }
        var hits = 0, proper = 0
        for _ in 0..<20_000 {
            let p = Point(x: coordinate(), y: coordinate()), q = Point(x: coordinate(), y: coordinate())
            let r = Point(x: coordinate(), y: coordinate()), s = Point(x: coordinate(), y: coordinate())
            let expected = Reference.segmentsIntersect(p, q, r, s)
            let a = Segment(p, q), b = Segment(r, s)
            XCTAssertEqual(a.intersects(b), expected.any, "\(p)-\(q) vs \(r)-\(s)")
            XCTAssertEqual(b.intersects(a), expected.any)
            XCTAssertEqual(a.properlyIntersects(b), expected.proper, "\(p)-\(q) vs \(r)-\(s)")
            if expected.any { hits += 1 }
            if expected.proper { proper += 1 }
        }
        XCTAssertGreaterThan(hits, 3_000)
        XCTAssertGreaterThan(proper, 1_000)
    }

    /// Scaling by a power of two keeps the arithmetic exact, so the same answers must hold at lon/lat scale.
    func testSegmentIntersectionIsScaleInvariantForPowersOfTwo() {
        var rng = SeededGenerator(seed: 12)
        func coordinate() -> Double { Double(Int(rng.next() % 9)) }
        for _ in 0..<5_000 {
            let pts = (0..<4).map { _ in Point(x: coordinate(), y: coordinate()) }
            let expected = Reference.segmentsIntersect(pts[0], pts[1], pts[2], pts[3])
            let scaled = pts.map { Point(x: $0.x * 0x1p-20 - 73.5, y: $0.y * 0x1p-20 + 45.5) }
            XCTAssertEqual(Segment(scaled[0], scaled[1]).intersects(Segment(scaled[2], scaled[3])), expected.any)
            XCTAssertEqual(Segment(scaled[0], scaled[1]).properlyIntersects(Segment(scaled[2], scaled[3])),
                           expected.proper)
        }
    }
}
