import XCTest
import GeoCore
import TestSupport

final class PolygonValidationTests: XCTestCase {
    private func p(_ x: Double, _ y: Double) -> Point { Point(x: x, y: y) }
    private var square: [Point] { [p(0, 0), p(10, 0), p(10, 10), p(0, 10), p(0, 0)] }

    private func expectError(_ code: GeometryError.Code, ring: Int? = nil, position: Int? = nil,
                             file: StaticString = #filePath, line: UInt = #line,
                             _ make: () throws -> Polygon) {
        do {
            let polygon = try make()
            XCTFail("expected \(code), got a polygon with \(polygon.vertexCount) vertices", file: file, line: line)
        } catch let error as GeometryError {
            XCTAssertEqual(error.code, code, error.message, file: file, line: line)
            if let ring { XCTAssertEqual(error.ring, ring, error.message, file: file, line: line) }
            if let position { XCTAssertEqual(error.position, position, error.message, file: file, line: line) }
            XCTAssertFalse(error.message.isEmpty, file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testValidShapesPass() throws {
        let polygon = try Polygon(exterior: square)
        XCTAssertEqual(polygon.vertexCount, 5)
        XCTAssertEqual(polygon.bounds, Rect(minX: 0, minY: 0, maxX: 10, maxY: 10))
        // Clockwise winding is fine too.
        XCTAssertNoThrow(try Polygon(exterior: square.reversed()))
        // Square with a hole, and a concave U.
        let hole = [p(3, 3), p(3, 7), p(7, 7), p(7, 3), p(3, 3)]
        let withHole = try Polygon(exterior: square, holes: [hole])
        XCTAssertEqual(withHole.holes, [hole])
        XCTAssertNoThrow(try Polygon(exterior: [p(0, 0), p(9, 0), p(9, 9), p(6, 9), p(6, 3), p(3, 3),
                                                p(3, 9), p(0, 9), p(0, 0)]))
        // Consecutive duplicate vertices are tolerated.
        XCTAssertNoThrow(try Polygon(exterior: [p(0, 0), p(0, 0), p(10, 0), p(10, 10), p(10, 10), p(0, 10), p(0, 0)]))
        // A hole touching the shell at one point is allowed.
        XCTAssertNoThrow(try Polygon(exterior: square, holes: [[p(0, 5), p(5, 3), p(5, 7), p(0, 5)]]))
        // Longitude float noise from real data (Natural Earth's 180.00000000000006) passes.
        XCTAssertNoThrow(try Polygon(exterior: [p(170, 60), p(180.00000000000006, 60), p(180.00000000000006, 70),
                                                p(170, 60)]))
    }

    func testBowTieIsRejectedWithBothSegments() {
        expectError(.selfIntersection, ring: 0) {
            try Polygon(exterior: [p(0, 0), p(10, 10), p(10, 0), p(0, 10), p(0, 0)])
        }
        do {
            _ = try Polygon(exterior: [p(0, 0), p(10, 10), p(10, 0), p(0, 10), p(0, 0)])
        } catch {
            XCTAssertTrue(error.message.contains("segment 0-1"), error.message)
            XCTAssertTrue(error.message.contains("segment 2-3"), error.message)
            XCTAssertTrue(error.description.hasPrefix("selfIntersection: "), error.description)
        }
    }

    func testUnclosedRingIsRejected() {
        expectError(.ringNotClosed, ring: 0, position: 3) { try Polygon(exterior: [p(0, 0), p(1, 0), p(1, 1), p(0, 1)]) }
        let openHole = [p(3, 3), p(3, 7), p(7, 7), p(7, 3)]
        expectError(.ringNotClosed, ring: 1) { try Polygon(exterior: square, holes: [openHole]) }
        do {
            _ = try Polygon(exterior: square, holes: [openHole])
        } catch {
            XCTAssertTrue(error.message.hasPrefix("ring 1 (hole 0) is not closed: first (3.0, 3.0) != last (7.0, 3.0)"),
                          error.message)
        }
    }

    func testTooFewPositions() {
        expectError(.tooFewPositions, ring: 0) { try Polygon(exterior: [p(0, 0), p(1, 0), p(0, 0)]) }
        expectError(.tooFewPositions, ring: 0) { try Polygon(exterior: []) }
        // Four positions but only two distinct: collapses after de-duplication.
        expectError(.tooFewPositions, ring: 0) { try Polygon(exterior: [p(0, 0), p(1, 0), p(1, 0), p(0, 0)]) }
    }

    func testNonFiniteAndOutOfRangeCoordinates() {
        expectError(.nonFiniteCoordinate, ring: 0, position: 1) {
            try Polygon(exterior: [p(0, 0), p(.nan, 0), p(1, 1), p(0, 0)])
        }
        expectError(.nonFiniteCoordinate, ring: 0, position: 2) {
            try Polygon(exterior: [p(0, 0), p(1, 0), p(1, .infinity), p(0, 0)])
        }
        expectError(.longitudeOutOfRange, ring: 0, position: 1) {
            try Polygon(exterior: [p(179, 0), p(181, 0), p(179, 1), p(179, 0)])
        }
        expectError(.latitudeOutOfRange, ring: 0, position: 2) {
            try Polygon(exterior: [p(0, 89), p(1, 89), p(1, 90.5), p(0, 89)])
        }
        // The planar init skips only the range check.
        XCTAssertNoThrow(try Polygon(planarExterior: [p(179, 0), p(181, 0), p(179, 1), p(179, 0)], holes: []))
        expectError(.nonFiniteCoordinate) { try Polygon(planarExterior: [p(0, 0), p(.nan, 0), p(1, 1), p(0, 0)], holes: []) }
    }

    func testTouchingAndBacktrackingRingsAreSelfIntersections() {
        // Touches itself at a vertex (figure eight through a shared vertex).
        expectError(.selfIntersection) {
            try Polygon(exterior: [p(0, 0), p(4, 0), p(2, 2), p(4, 4), p(0, 4), p(2, 2), p(0, 0)])
        }
        // A vertex lying on a non-adjacent edge.
        expectError(.selfIntersection) {
            try Polygon(exterior: [p(0, 0), p(4, 0), p(4, 4), p(2, 0), p(0, 4), p(0, 0)])
        }
        // Backtracks along itself (spike going out and back on the same line).
        expectError(.selfIntersection) {
            try Polygon(exterior: [p(0, 0), p(4, 0), p(6, 0), p(5, 0), p(4, 4), p(0, 4), p(0, 0)])
        }
        // Collinear zero-area ring.
        expectError(.selfIntersection) { try Polygon(exterior: [p(0, 0), p(2, 0), p(1, 0), p(0, 0)]) }
        expectError(.selfIntersection) { try Polygon(exterior: [p(0, 0), p(1, 0), p(2, 0), p(0, 0)]) }
    }

    func testHoleRules() {
        expectError(.holeOutsideShell, ring: 1) {
            try Polygon(exterior: square, holes: [[p(20, 20), p(20, 25), p(25, 25), p(20, 20)]])
        }
        expectError(.ringsCross, ring: 1) {
            try Polygon(exterior: square, holes: [[p(5, 5), p(15, 5), p(15, 8), p(5, 8), p(5, 5)]])
        }
        // A hole sharing an edge with the shell.
        expectError(.ringsCross) {
            try Polygon(exterior: square, holes: [[p(0, 2), p(0, 6), p(4, 6), p(4, 2), p(0, 2)]])
        }
        // Two holes crossing each other.
        expectError(.ringsCross, ring: 2) {
            try Polygon(exterior: square, holes: [[p(1, 1), p(5, 1), p(5, 5), p(1, 5), p(1, 1)],
                                                  [p(3, 3), p(7, 3), p(7, 7), p(3, 7), p(3, 3)]])
        }
        // A hole inside another hole.
        expectError(.nestedHoles, ring: 2) {
            try Polygon(exterior: square, holes: [[p(1, 1), p(9, 1), p(9, 9), p(1, 9), p(1, 1)],
                                                  [p(3, 3), p(7, 3), p(7, 7), p(3, 7), p(3, 3)]])
        }
        // The hole's own problems are reported against its ring number.
        expectError(.selfIntersection, ring: 1) {
            try Polygon(exterior: square, holes: [[p(2, 2), p(8, 8), p(8, 2), p(2, 8), p(2, 2)]])
        }
    }

    func testMultiPolygonValidationReportsPartIndex() {
        do {
            _ = try MultiPolygon(validating: [(square, []), ([p(0, 0), p(1, 1), p(1, 0), p(0, 1), p(0, 0)], [])])
            XCTFail("expected a bow-tie error")
        } catch {
            XCTAssertEqual(error.code, .selfIntersection)
            XCTAssertEqual(error.polygon, 1)
            XCTAssertTrue(error.description.contains("polygon 1"), error.description)
        }
    }

    /// Random star polygons are simple by construction; perturbing one vertex across the ring makes
    /// crossings. The validator must agree with a brute-force all-pairs check on both.
    func testSelfIntersectionAgreesWithBruteForce() {
        var rng = SeededGenerator(seed: 21)
        var rejected = 0
        for round in 0..<300 {
            var ring = Shapes.star(center: p(0, 0), vertices: 5 + round % 40, radii: 0.3...1, using: &rng)
            if round % 2 == 1 {
                let k = 1 + Int(rng.next() % UInt64(ring.count - 2))
                ring[k] = p(rng.nextDouble(in: -1..<1), rng.nextDouble(in: -1..<1))
            }
            let n = ring.count - 1
            var bruteCrossing = false
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let adjacent = j == i + 1 || (i == 0 && j == n - 1)
                    if adjacent { continue }
                    if Reference.segmentsCross(ring[i], ring[i + 1], ring[j], ring[j + 1]) { bruteCrossing = true }
                }
            }
            do {
                _ = try Polygon(planarExterior: ring, holes: [])
                XCTAssertFalse(bruteCrossing, "round \(round): validator accepted a crossing ring")
            } catch {
                rejected += 1
                XCTAssertEqual(error.code, .selfIntersection, "round \(round): \(error)")
                XCTAssertTrue(bruteCrossing, "round \(round): \(error)")
            }
        }
        XCTAssertGreaterThan(rejected, 30)
    }

    /// A large ring validates quickly (the check is near-linear, not all-pairs).
    func testLargeRingValidatesQuickly() throws {
        var rng = SeededGenerator(seed: 22)
        let ring = Shapes.star(center: p(0, 0), vertices: 50_000, radii: 0.999...1, using: &rng)
        let polygon = try Polygon(planarExterior: ring, holes: [])
        XCTAssertEqual(polygon.vertexCount, 50_001)
        var crossed = ring
        crossed[25_000] = p(-0.5, -0.5)
        XCTAssertThrowsError(try Polygon(planarExterior: crossed, holes: []))
    }
}
