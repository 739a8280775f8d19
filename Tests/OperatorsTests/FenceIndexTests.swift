import Foundation
import GeoCore
import Operators
import TestSupport
import XCTest

/// Each fence shape's exact predicates (boundary inside, holes outside, every multipolygon part),
/// and the index's dynamic updates.
final class FenceIndexTests: XCTestCase {
    let rect = FenceDefinition(id: "rect", shape: .rect(Rect(minX: 0, minY: 0, maxX: 2, maxY: 1)))

    /// A 4×4 square with a 2×2 hole in the middle.
    let holed = FenceDefinition(id: "holed", shape: .polygon(Polygon(
        uncheckedExterior: [Point(x: 10, y: 0), Point(x: 14, y: 0), Point(x: 14, y: 4), Point(x: 10, y: 4), Point(x: 10, y: 0)],
        holes: [[Point(x: 11, y: 1), Point(x: 13, y: 1), Point(x: 13, y: 3), Point(x: 11, y: 3), Point(x: 11, y: 1)]])))

    /// Two unit squares, at x 20 and x 30.
    let parts = FenceDefinition(id: "parts", shape: .multiPolygon(MultiPolygon([
        Polygon(uncheckedExterior: [Point(x: 20, y: 0), Point(x: 21, y: 0), Point(x: 21, y: 1), Point(x: 20, y: 1), Point(x: 20, y: 0)]),
        Polygon(uncheckedExterior: [Point(x: 30, y: 0), Point(x: 31, y: 0), Point(x: 31, y: 1), Point(x: 30, y: 1), Point(x: 30, y: 0)]),
    ])))

    static let circleCenter = Point(lon: 5, lat: 45)
    let circle = FenceDefinition(id: "circle", shape: .circle(center: FenceIndexTests.circleCenter, radiusMetres: 1_000))

    /// The point `metres` due north of `point` (along a meridian the haversine distance is exact).
    static func north(of point: Point, metres: Double) -> Point {
        Point(lon: point.lon, lat: point.lat + metres / Geodesy.earthRadius * 180 / Double.pi)
    }

    static func east(of point: Point, metres: Double) -> Point {
        Point(lon: point.lon + metres / (Geodesy.earthRadius * cos(point.lat * Double.pi / 180)) * 180 / Double.pi, lat: point.lat)
    }

    var index: FenceIndex { FenceIndex(fences: [rect, holed, parts, circle]) }

    func testRectBoundaryCountsAsInside() {
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 1, y: 0.5)), ["rect"])
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 0, y: 0)), ["rect"], "corner")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 2, y: 0.7)), ["rect"], "edge")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 2.000001, y: 0.5)), [])
    }

    func testPolygonHoleIsOutsideButItsBoundaryIsInside() {
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 10.5, y: 2)), ["holed"])
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 12, y: 2)), [], "in the hole")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 11, y: 2)), ["holed"], "on the hole's edge")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 14, y: 4)), ["holed"], "exterior vertex")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 14.1, y: 2)), [])
    }

    func testMultiPolygonEveryPartCounts() {
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 20.5, y: 0.5)), ["parts"])
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 31, y: 1)), ["parts"], "corner of the second part")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 25, y: 0.5)), [], "between the parts (inside the bounds)")
    }

    func testCircleUsesHaversineDistanceWithBoundaryInside() {
        let center = Self.circleCenter
        XCTAssertEqual(index.fenceIDs(containing: center), ["circle"])
        XCTAssertEqual(index.fenceIDs(containing: Self.north(of: center, metres: 999)), ["circle"])
        XCTAssertEqual(index.fenceIDs(containing: Self.north(of: center, metres: 1_001)), [])
        XCTAssertEqual(index.fenceIDs(containing: Self.east(of: center, metres: 999)), ["circle"])
        XCTAssertEqual(index.fenceIDs(containing: Self.east(of: center, metres: 1_001)), [])
    }

    func testSegmentsTouchEachShape() {
        // Passing through the rect with both ends outside; touching its corner; missing it.
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: -1, y: 0.5), Point(x: 3, y: 0.5))), ["rect"])
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: -1, y: 1), Point(x: 0, y: 1))), ["rect"])
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: -1, y: 1.5), Point(x: 3, y: 1.5))), [])
        // A segment inside the hole touches nothing; one crossing into the ring does.
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: 11.5, y: 2), Point(x: 12.5, y: 2))), [])
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: 12, y: 2), Point(x: 12, y: 5))), ["holed"])
        // Across the gap between the parts, through both.
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: 19, y: 0.5), Point(x: 32, y: 0.5))), ["parts"])
        XCTAssertEqual(index.fenceIDs(touching: Segment(Point(x: 22, y: 0.5), Point(x: 29, y: 0.5))), [])
        // An east-west chord 900 m north of the circle's centre crosses it; 1,100 m north misses.
        let center = Self.circleCenter
        let near = Self.north(of: center, metres: 900), far = Self.north(of: center, metres: 1_100)
        XCTAssertEqual(index.fenceIDs(touching: Segment(Self.east(of: near, metres: -3_000), Self.east(of: near, metres: 3_000))), ["circle"])
        XCTAssertEqual(index.fenceIDs(touching: Segment(Self.east(of: far, metres: -3_000), Self.east(of: far, metres: 3_000))), [])
    }

    func testAreasIntersectEachShape() {
        func square(_ x: Double, _ y: Double, _ size: Double) -> Geometry {
            .polygon(Polygon(uncheckedExterior: [Point(x: x, y: y), Point(x: x + size, y: y), Point(x: x + size, y: y + size),
                                                 Point(x: x, y: y + size), Point(x: x, y: y)]))
        }
        XCTAssertEqual(index.fenceIDs(intersecting: square(1.5, 0.5, 1)), ["rect"], "overlapping the rect")
        XCTAssertEqual(index.fenceIDs(intersecting: square(2, 1, 1)), ["rect"], "touching the rect's corner")
        XCTAssertEqual(index.fenceIDs(intersecting: square(11.5, 1.5, 1)), [], "inside the hole")
        XCTAssertEqual(index.fenceIDs(intersecting: square(9, -1, 6)), ["holed"], "covering the whole polygon")
        XCTAssertEqual(index.fenceIDs(intersecting: square(30.2, 0.2, 0.2)), ["parts"], "inside the second part")
        // Around the circle: a small square 990 m north touches, one 1,010 m north does not; one
        // around the whole circle does.
        let center = Self.circleCenter
        let degree = 0.0001
        let touching = Self.north(of: center, metres: 990), apart = Self.north(of: center, metres: 1_010)
        XCTAssertEqual(index.fenceIDs(intersecting: square(touching.lon - degree / 2, touching.lat, degree)), ["circle"])
        XCTAssertEqual(index.fenceIDs(intersecting: square(apart.lon - degree / 2, apart.lat, degree)), [])
        XCTAssertEqual(index.fenceIDs(intersecting: square(center.lon - 0.1, center.lat - 0.1, 0.2)), ["circle"])
        XCTAssertEqual(index.fenceIDs(intersecting: square(center.lon - 0.001, center.lat - 0.001, 0.002)), ["circle"], "inside")
    }

    func testCirclesAtPolesAndAntimeridianDoNotCrash() {
        let fences = [
            FenceDefinition(id: "pole", shape: .circle(center: Point(lon: 0, lat: 90), radiusMetres: 50_000)),
            FenceDefinition(id: "dateline", shape: .circle(center: Point(lon: 179.99, lat: 10), radiusMetres: 5_000)),
        ]
        let index = FenceIndex(fences: fences)
        XCTAssertEqual(index.fenceIDs(containing: Point(lon: 123, lat: 89.9)), ["pole"])
        XCTAssertEqual(index.fenceIDs(containing: Point(lon: -179.99, lat: 10)), ["dateline"], "haversine wraps")
        _ = index.fenceIDs(touching: Segment(Point(lon: -10, lat: 89.8), Point(lon: 10, lat: 89.8)))
        _ = index.fenceIDs(touching: Segment(Point(lon: 179.9, lat: 10), Point(lon: -179.9, lat: 10)))
    }

    func testInsertReplaceRemoveKeepSlotsAndReuseThem() {
        var index = FenceIndex(fences: [rect, rect])  // a duplicate id: the last one wins
        XCTAssertEqual(index.count, 1)
        let moved = FenceDefinition(id: "rect", shape: .rect(Rect(minX: 5, minY: 5, maxX: 6, maxY: 6)))
        let slot = index.slot(of: "rect")
        XCTAssertEqual(index.insertOrReplace(moved), slot, "a replacement keeps the slot")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 1, y: 0.5)), [])
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 5.5, y: 5.5)), ["rect"])
        XCTAssertEqual(index.insertOrReplace(circle), 1)
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.remove(id: "rect"), slot)
        XCTAssertNil(index.remove(id: "rect"))
        XCTAssertNil(index.fence(at: slot!))
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 5.5, y: 5.5)), [])
        XCTAssertEqual(index.insertOrReplace(holed), slot, "a freed slot is reused")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 10.5, y: 2)), ["holed"])
        XCTAssertEqual(index.count, 2)
        XCTAssertNil(index.insertOrReplace(FenceDefinition(id: "bad", shape: .rect(Rect(minX: .nan, minY: 0, maxX: 1, maxY: 1)))))
        XCTAssertEqual(index.unindexable, 1)
    }
}
