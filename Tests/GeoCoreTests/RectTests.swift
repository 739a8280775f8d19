import XCTest
import GeoCore

final class RectTests: XCTestCase {
    func testEdgesAreInside() {
        let r = Rect(minX: 0, minY: 0, maxX: 10, maxY: 5)
        XCTAssertTrue(r.contains(Point(x: 10, y: 5)))
        XCTAssertTrue(r.intersects(Rect(minX: 10, minY: 5, maxX: 11, maxY: 6)))
        XCTAssertFalse(r.intersects(Rect(minX: 10.0001, minY: 0, maxX: 11, maxY: 6)))
        XCTAssertEqual(r.squaredDistance(to: Point(x: 13, y: 9)), 25)
        XCTAssertTrue(Rect.empty.isEmpty)
        XCTAssertEqual(Rect.empty.union(r), r)
    }
}
