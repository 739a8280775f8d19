import XCTest
import GeoCore
import TestSupport

final class PolygonIntersectionTests: XCTestCase {
    private func p(_ x: Double, _ y: Double) -> Point { Point(x: x, y: y) }
    private func rect(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Rect {
        Rect(minX: a, minY: b, maxX: c, maxY: d)
    }

    private func squareWithHole() throws -> Polygon {
        try Polygon(exterior: [p(0, 0), p(10, 0), p(10, 10), p(0, 10), p(0, 0)],
                    holes: [[p(3, 3), p(3, 7), p(7, 7), p(7, 3), p(3, 3)]])
    }

    func testRectHandCases() throws {
        let polygon = try squareWithHole()
        XCTAssertTrue(polygon.intersects(rect(1, 1, 2, 2)))
        XCTAssertTrue(polygon.contains(rect(1, 1, 2, 2)))
        XCTAssertFalse(polygon.intersects(rect(4, 4, 6, 6)), "inside the hole")
        XCTAssertTrue(polygon.intersects(rect(3, 4, 6, 6)), "touches the hole edge")
        XCTAssertFalse(polygon.contains(rect(4, 4, 6, 6)))
        XCTAssertTrue(polygon.intersects(rect(-5, -5, 15, 15)), "covers the polygon")
        XCTAssertFalse(polygon.contains(rect(-5, -5, 15, 15)))
        XCTAssertTrue(polygon.intersects(rect(10, 10, 12, 12)), "corner touch")
        XCTAssertFalse(polygon.intersects(rect(10.5, 0, 12, 12)))
        XCTAssertTrue(polygon.contains(rect(0, 0, 3, 10)), "edges may touch")
        XCTAssertFalse(polygon.contains(rect(0, 0, 3.5, 10)), "reaches into the hole")
        XCTAssertFalse(polygon.contains(rect(2, 2, 8, 8)), "spans the hole")
        XCTAssertTrue(polygon.contains(rect(1, 1, 1, 1)), "degenerate point rect")
        XCTAssertTrue(polygon.contains(rect(1, 1, 1, 9)), "degenerate line rect")
        XCTAssertFalse(polygon.contains(rect(5, 1, 5, 9)), "line crossing the hole")
        XCTAssertFalse(polygon.contains(Rect.empty))
        XCTAssertFalse(polygon.intersects(Rect.empty))
    }

    func testPolygonAndSegmentHandCases() throws {
        let polygon = try squareWithHole()
        let inHole = try Polygon(exterior: [p(4, 4), p(6, 4), p(6, 6), p(4, 6), p(4, 4)])
        XCTAssertFalse(polygon.intersects(inHole))
        XCTAssertFalse(polygon.contains(inHole))
        XCTAssertFalse(inHole.contains(polygon))
        let holeShaped = try Polygon(exterior: [p(3, 3), p(7, 3), p(7, 7), p(3, 7), p(3, 3)])
        XCTAssertTrue(polygon.intersects(holeShaped), "shares the hole's boundary")
        XCTAssertFalse(polygon.contains(holeShaped))
        let big = try Polygon(exterior: [p(-1, -1), p(11, -1), p(11, 11), p(-1, 11), p(-1, -1)])
        XCTAssertTrue(big.contains(polygon))
        XCTAssertTrue(big.intersects(polygon))
        XCTAssertTrue(polygon.intersects(big))
        XCTAssertFalse(polygon.contains(big))
        XCTAssertTrue(polygon.contains(polygon), "a polygon lies within itself")
        let leftStrip = try Polygon(exterior: [p(0, 0), p(3, 0), p(3, 10), p(0, 10), p(0, 0)])
        XCTAssertTrue(polygon.contains(leftStrip))
        let touching = try Polygon(exterior: [p(10, 0), p(20, 0), p(20, 10), p(10, 10), p(10, 0)])
        XCTAssertTrue(polygon.intersects(touching))
        XCTAssertFalse(polygon.contains(touching))

        XCTAssertTrue(polygon.intersects(Segment(p(-1, 5), p(1, 5))))
        XCTAssertFalse(polygon.intersects(Segment(p(4, 5), p(6, 5))), "inside the hole")
        XCTAssertTrue(polygon.intersects(Segment(p(4, 5), p(16, 5))))
        XCTAssertTrue(polygon.intersects(Segment(p(1, 1), p(2, 2))), "fully inside")
        XCTAssertFalse(polygon.intersects(Segment(p(11, 0), p(11, 10))))
        XCTAssertTrue(polygon.intersects(Segment(p(10, 11), p(12, 9))) == false)
        XCTAssertTrue(polygon.intersects(Segment(p(9, 11), p(11, 9))))
    }

    /// Random rects against random star polygons with holes, compared with a plain reference: dense
    /// sampling of the rect plus edge crossings and vertex containment.
    func testRectPredicatesMatchReference() throws {
        var rng = SeededGenerator(seed: 41)
        var intersecting = 0, contained = 0
        for round in 0..<30 {
            let shape = Shapes.starWithHoles(center: p(0, 0), vertices: [12, 40, 200][round % 3], radius: 10,
                                             holeCount: round % 3, using: &rng)
            let polygon = try Polygon(planarExterior: shape.exterior, holes: shape.holes)
            let rings = [shape.exterior] + shape.holes
            let polygonEdges = Reference.edges(rings)
            for _ in 0..<60 {
                let cx = rng.nextDouble(in: -12..<12), cy = rng.nextDouble(in: -12..<12)
                let w = rng.nextDouble(in: 0.05..<6), h = rng.nextDouble(in: 0.05..<6)
                let r = rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                let samples = Reference.grid(r, 12)
                let sampleInside = samples.map { Reference.inside($0, exterior: shape.exterior, holes: shape.holes) }
                let edgesCross = polygonEdges.contains { e in
                    Reference.rectEdges(r).contains { Reference.segmentsCross(e.0, e.1, $0.0, $0.1) }
                }
                let vertexInRect = rings.contains { $0.contains { r.contains($0) } }
                let expectIntersects = sampleInside.contains(true) || edgesCross || vertexInRect
                XCTAssertEqual(polygon.intersects(r), expectIntersects, "round \(round) rect \(r)")
                let expectContains = sampleInside.allSatisfy { $0 } && !edgesCross && !vertexInRect
                XCTAssertEqual(polygon.contains(r), expectContains, "round \(round) rect \(r)")
                if expectIntersects { intersecting += 1 }
                if expectContains { contained += 1 }
            }
        }
        XCTAssertGreaterThan(intersecting, 450)
        XCTAssertGreaterThan(contained, 110)
    }

    /// Random small star polygons against a big star polygon with holes: intersects and contains vs a
    /// reference built from edge crossings, vertex containment and dense interior sampling.
    func testPolygonPredicatesMatchReference() throws {
        var rng = SeededGenerator(seed: 42)
        var intersecting = 0, contained = 0
        for round in 0..<20 {
            let shape = Shapes.starWithHoles(center: p(0, 0), vertices: [16, 60, 150][round % 3], radius: 10,
                                             holeCount: 1 + round % 3, using: &rng)
            let big = try Polygon(planarExterior: shape.exterior, holes: shape.holes)
            let bigRings = [shape.exterior] + shape.holes
            for _ in 0..<25 {
                let center = p(rng.nextDouble(in: -11..<11), rng.nextDouble(in: -11..<11))
                let radius = rng.nextDouble(in: 0.2..<4)
                let ring = Shapes.star(center: center, vertices: 5 + Int(rng.next() % 20),
                                       radii: (radius * 0.4)...radius, using: &rng)
                let small = try Polygon(planarExterior: ring, holes: [])
                let crossings = Reference.edges(bigRings).contains { e in
                    Reference.edges([ring]).contains { Reference.segmentsCross(e.0, e.1, $0.0, $0.1) }
                }
                let smallVerticesInBig = ring.map { Reference.inside($0, exterior: shape.exterior, holes: shape.holes) }
                let bigVertexInSmall = bigRings.contains { $0.contains { Reference.windingNumber($0, ring) != 0 } }
                let interiorSamples = Reference.grid(small.bounds, 18).filter { Reference.windingNumber($0, ring) != 0 }
                let samplesInBig = interiorSamples.map { Reference.inside($0, exterior: shape.exterior, holes: shape.holes) }

                let expectIntersects = crossings || smallVerticesInBig.contains(true) || bigVertexInSmall
                XCTAssertEqual(big.intersects(small), expectIntersects, "round \(round)")
                XCTAssertEqual(small.intersects(big), expectIntersects, "round \(round)")
                let expectContains = !crossings && smallVerticesInBig.allSatisfy { $0 } && samplesInBig.allSatisfy { $0 }
                XCTAssertEqual(big.contains(small), expectContains, "round \(round) small at \(center) r \(radius)")
                XCTAssertFalse(small.contains(big))
                if expectIntersects { intersecting += 1 }
                if expectContains { contained += 1 }
            }
        }
        XCTAssertGreaterThan(intersecting, 200)
        XCTAssertGreaterThan(contained, 40)
    }
}
