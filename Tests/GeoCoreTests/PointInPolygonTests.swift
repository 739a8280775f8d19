import XCTest
import GeoCore
import TestSupport

final class PointInPolygonTests: XCTestCase {
    private func p(_ x: Double, _ y: Double) -> Point { Point(x: x, y: y) }

    func testSquareWithHole() throws {
        let polygon = try Polygon(exterior: [p(0, 0), p(10, 0), p(10, 10), p(0, 10), p(0, 0)],
                                  holes: [[p(3, 3), p(3, 7), p(7, 7), p(7, 3), p(3, 3)]])
        XCTAssertTrue(polygon.contains(p(1, 1)))
        XCTAssertFalse(polygon.contains(p(5, 5)), "hole interior is outside")
        XCTAssertFalse(polygon.contains(p(11, 5)))
        XCTAssertFalse(polygon.contains(p(-1, 5)))
        // Boundary counts as inside: edges, vertices, hole edges and hole vertices.
        XCTAssertTrue(polygon.contains(p(10, 5)))
        XCTAssertTrue(polygon.contains(p(5, 0)))
        XCTAssertTrue(polygon.contains(p(0, 0)))
        XCTAssertTrue(polygon.contains(p(10, 10)))
        XCTAssertTrue(polygon.contains(p(3, 5)))
        XCTAssertTrue(polygon.contains(p(7, 7)))
        XCTAssertTrue(polygon.contains(p(5, 3)))
        // Rays through vertices and along horizontal edges.
        XCTAssertTrue(polygon.contains(p(1, 3)))
        XCTAssertTrue(polygon.contains(p(8, 7)))
        XCTAssertFalse(polygon.contains(p(-1, 3)))
        XCTAssertFalse(polygon.contains(p(-1, 0)))
        XCTAssertFalse(polygon.contains(p(11, 10)))
        XCTAssertFalse(polygon.contains(p(.nan, 5)))
    }

    func testConcaveUShape() throws {
        // U: two prongs (x 0-3 and 6-9) joined at the bottom (y 0-3).
        let u = try Polygon(exterior: [p(0, 0), p(9, 0), p(9, 9), p(6, 9), p(6, 3), p(3, 3),
                                       p(3, 9), p(0, 9), p(0, 0)])
        XCTAssertTrue(u.contains(p(1.5, 6)))
        XCTAssertTrue(u.contains(p(7.5, 6)))
        XCTAssertFalse(u.contains(p(4.5, 6)), "the gap of the U")
        XCTAssertTrue(u.contains(p(4.5, 3)), "bottom edge of the gap")
        XCTAssertTrue(u.contains(p(4.5, 1)))
        // Ray from the gap at the height of the prong tops passes through vertices (6,9), (9,9).
        XCTAssertFalse(u.contains(p(4.5, 9)))
        XCTAssertTrue(u.contains(p(6, 9)))
        XCTAssertTrue(u.contains(p(6, 5)))
        XCTAssertFalse(u.contains(p(-0.5, 9)))
        XCTAssertFalse(u.contains(p(-0.5, 3)))
    }

    func testDiagonalEdgesAndTriangle() throws {
        let triangle = try Polygon(exterior: [p(0, 0), p(4, 0), p(0, 4), p(0, 0)])
        XCTAssertTrue(triangle.contains(p(2, 2)), "on the hypotenuse")
        XCTAssertTrue(triangle.contains(p(1, 1)))
        XCTAssertFalse(triangle.contains(p(2.0000001, 2)))
        XCTAssertTrue(triangle.contains(p(0.1, 3.9)))
        XCTAssertFalse(triangle.contains(p(0.1, 4)))
    }

    /// Random star polygons with holes (small and large, so both the linear scan and the band index are
    /// exercised) against a plain winding-number reference; boundary-near points are skipped, and
    /// points at exactly a vertex's y are included so rays pass through vertices.
    func testMatchesWindingNumberReference() throws {
        var rng = SeededGenerator(seed: 31)
        var checked = 0, inside = 0
        for round in 0..<60 {
            let vertices = [6, 20, 33, 64, 300, 1_000][round % 6]
            let shape = Shapes.starWithHoles(center: p(rng.nextDouble(in: -50..<50), rng.nextDouble(in: -50..<50)),
                                             vertices: vertices, radius: 10, holeCount: round % 4, using: &rng)
            let polygon = try Polygon(planarExterior: shape.exterior, holes: shape.holes)
            let rings = [shape.exterior] + shape.holes
            let box = polygon.bounds
            for k in 0..<400 {
                var q = p(rng.nextDouble(in: (box.minX - 1)..<(box.maxX + 1)),
                          rng.nextDouble(in: (box.minY - 1)..<(box.maxY + 1)))
                if k % 4 == 0 {
                    let ring = rings[Int(rng.next() % UInt64(rings.count))]
                    q.y = ring[Int(rng.next() % UInt64(ring.count))].y
                }
                guard Reference.distanceToRings(q, rings) > 1e-9 else { continue }
                let expected = Reference.inside(q, exterior: shape.exterior, holes: shape.holes)
                XCTAssertEqual(polygon.contains(q), expected, "round \(round) point \(q)")
                checked += 1
                if expected { inside += 1 }
            }
            // Every vertex is on the boundary, hence inside.
            for ring in rings { for v in ring { XCTAssertTrue(polygon.contains(v), "vertex \(v)") } }
        }
        XCTAssertGreaterThan(checked, 20_000)
        XCTAssertGreaterThan(inside, 5_000)
    }

    /// Exactly-on-edge points built with power-of-two arithmetic on an axis-aligned staircase ring:
    /// every one must count as inside, for ring sizes on both sides of the band-index threshold.
    func testExactBoundaryPointsOnLargeRing() throws {
        for steps in [5, 100] {
            var ring: [Point] = [p(0, 0)]
            for s in 0..<steps {
                ring.append(p(Double(s + 1), Double(s)))
                ring.append(p(Double(s + 1), Double(s + 1)))
            }
            ring.append(p(0, Double(steps)))
            ring.append(p(0, 0))
            let polygon = try Polygon(planarExterior: ring, holes: [])
            for s in 0..<steps {
                XCTAssertTrue(polygon.contains(p(Double(s) + 0.5, Double(s))), "horizontal step edge")
                XCTAssertTrue(polygon.contains(p(Double(s + 1), Double(s) + 0.25)), "vertical riser")
                XCTAssertTrue(polygon.contains(p(Double(s) + 0.5, Double(s) + 0.5)))
                XCTAssertFalse(polygon.contains(p(Double(s) + 1.5, Double(s) + 0.5)))
                XCTAssertFalse(polygon.contains(p(Double(s + 1) + 0x1p-30, Double(s) + 0.5)))
            }
        }
    }

    /// Regression: a large unchecked ring with a NaN or infinite y used to trap while building its
    /// band index (found by the frame decoder's corruption test). Unchecked input must never crash.
    func testNonFiniteCoordinatesInALargeUncheckedRingDoNotTrap() {
        for poison in [Double.nan, .infinity, -.infinity] {
            var ring = (0..<40).map { i -> Point in
                let angle = Double(i) / 40 * 2 * Double.pi
                return Point(x: cos(angle), y: sin(angle))
            }
            ring[7] = Point(x: 0.5, y: poison)
            ring.append(ring[0])
            let polygon = Polygon(uncheckedExterior: ring)
            _ = polygon.contains(Point(x: 0, y: 0))
            _ = polygon.contains(Point(x: 5, y: 5))
            XCTAssertEqual(polygon.vertexCount, 41)
        }
    }
}
