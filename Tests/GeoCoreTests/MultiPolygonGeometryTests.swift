import XCTest
import GeoCore

final class MultiPolygonGeometryTests: XCTestCase {
    private func p(_ x: Double, _ y: Double) -> Point { Point(x: x, y: y) }
    private func square(_ x: Double, _ y: Double, _ size: Double) throws -> Polygon {
        try Polygon(exterior: [p(x, y), p(x + size, y), p(x + size, y + size), p(x, y + size), p(x, y)])
    }

    func testMultiPolygonPredicates() throws {
        let multi = MultiPolygon([try square(0, 0, 2), try square(5, 0, 2)])
        XCTAssertEqual(multi.bounds, Rect(minX: 0, minY: 0, maxX: 7, maxY: 2))
        XCTAssertEqual(multi.vertexCount, 10)
        XCTAssertTrue(multi.contains(p(1, 1)))
        XCTAssertTrue(multi.contains(p(7, 2)))
        XCTAssertFalse(multi.contains(p(3.5, 1)), "between the parts")
        XCTAssertTrue(multi.contains(Rect(minX: 5.5, minY: 0.5, maxX: 6, maxY: 1)))
        XCTAssertFalse(multi.contains(Rect(minX: 1, minY: 0.5, maxX: 6, maxY: 1)), "spans the gap")
        XCTAssertTrue(multi.intersects(Rect(minX: 1, minY: 0.5, maxX: 6, maxY: 1)))
        XCTAssertFalse(multi.intersects(Rect(minX: 3, minY: 0, maxX: 4, maxY: 2)))
        XCTAssertTrue(multi.contains(try square(5.5, 0.5, 1)))
        XCTAssertFalse(multi.contains(try square(1.5, 0.5, 1)))
        XCTAssertTrue(multi.intersects(try square(1.5, 0.5, 1)))
        XCTAssertFalse(multi.intersects(try square(2.5, 0.5, 1)))
        XCTAssertTrue(multi.intersects(MultiPolygon([try square(10, 10, 1), try square(6.5, 1.5, 3)])))
        XCTAssertFalse(multi.intersects(MultiPolygon([try square(10, 10, 1)])))
        XCTAssertTrue(multi.intersects(Segment(p(3, 1), p(5, 1))))
        XCTAssertFalse(multi.intersects(Segment(p(3, 1), p(4, 1))))

        // Bounds follow edits of `polygons`.
        var edited = multi
        edited.polygons.append(try square(-3, -3, 1))
        XCTAssertEqual(edited.bounds, Rect(minX: -3, minY: -3, maxX: 7, maxY: 2))
        XCTAssertNotEqual(edited, multi)
        XCTAssertEqual(MultiPolygon([]).bounds, Rect.empty)
        XCTAssertFalse(MultiPolygon([]).contains(p(0, 0)))
    }

    func testGeometryDispatch() throws {
        let a = Geometry.polygon(try square(0, 0, 4))
        let b = Geometry.multiPolygon(MultiPolygon([try square(1, 1, 1), try square(10, 10, 1)]))
        let inner = Geometry.multiPolygon(MultiPolygon([try square(1, 1, 1), try square(2.5, 2.5, 1)]))
        let pt = Geometry.point(p(1, 1))
        XCTAssertEqual(pt.bounds, Rect(point: p(1, 1)))
        XCTAssertEqual(a.bounds, Rect(minX: 0, minY: 0, maxX: 4, maxY: 4))
        XCTAssertTrue(pt.isWithin(a))
        XCTAssertTrue(pt.isWithin(pt))
        XCTAssertFalse(pt.isWithin(.point(p(1, 2))))
        XCTAssertFalse(a.isWithin(pt))
        XCTAssertTrue(inner.isWithin(a))
        XCTAssertFalse(b.isWithin(a), "one part is outside")
        XCTAssertTrue(Geometry.polygon(try square(1, 1, 1)).isWithin(b))
        XCTAssertFalse(Geometry.multiPolygon(MultiPolygon([])).isWithin(a))
        XCTAssertTrue(a.intersects(b))
        XCTAssertTrue(b.intersects(a))
        XCTAssertTrue(pt.intersects(a))
        XCTAssertTrue(a.intersects(pt))
        XCTAssertFalse(pt.intersects(.point(p(1, 1.5))))
        XCTAssertTrue(b.intersects(inner))
        XCTAssertTrue(a.contains(p(4, 4)))
        XCTAssertTrue(pt.contains(p(1, 1)))
        XCTAssertFalse(pt.contains(p(1, 1.0000001)))
        XCTAssertTrue(b.intersects(Rect(minX: 10.5, minY: 10.5, maxX: 20, maxY: 20)))
        XCTAssertFalse(pt.intersects(Rect(minX: 2, minY: 2, maxX: 3, maxY: 3)))
        // Polygon equality ignores the derived index and is by rings.
        XCTAssertEqual(try square(0, 0, 4), try square(0, 0, 4))
        XCTAssertEqual(Set([a, a, b]).count, 2)
    }
}
