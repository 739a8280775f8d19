import XCTest
import GeoCore
import SpatialIndex

final class RTreeSmokeTests: XCTestCase {
    func testInsertAndQuery() throws {
        var tree = RTree<Int>()
        for i in 0..<100 { tree.insert(i, bounds: Rect(point: Point(x: Double(i), y: Double(i)))) }
        try tree.validate()
        XCTAssertEqual(tree.search(intersecting: Rect(minX: 10, minY: 10, maxX: 12, maxY: 12)).sorted(), [10, 11, 12])
    }
}
