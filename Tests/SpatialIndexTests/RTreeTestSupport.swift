import XCTest
import GeoCore
import SpatialIndex
import TestSupport

/// Shared data generators and brute-force comparisons for the R-tree tests.
enum RTreeTestData {
    /// Every split variant at a tiny, an odd and the default capacity.
    static let configurations: [RTreeConfiguration] = SplitStrategy.allCases.flatMap { split in
        [4, 9, RTreeConfiguration().maxEntries].map { RTreeConfiguration(maxEntries: $0, split: split) }
    }

    /// Half points, half small rects, in [0, 100)²; a third snapped to a 0.5 grid so that equal
    /// coordinates, equal distances and shared edges actually occur.
    static func randomRect(_ generator: inout SeededGenerator) -> Rect {
        var x = generator.nextDouble(in: 0..<100), y = generator.nextDouble(in: 0..<100)
        if generator.next() % 3 == 0 {
            x = (x * 2).rounded(.down) / 2
            y = (y * 2).rounded(.down) / 2
        }
        if generator.next() % 2 == 0 { return Rect(point: Point(x: x, y: y)) }
        let width = generator.nextDouble(in: 0..<3), height = generator.nextDouble(in: 0..<3)
        return Rect(minX: x, minY: y, maxX: x + width, maxY: y + height)
    }

    /// Query windows from tiny to a quarter of the space, sometimes degenerate (a line or a point).
    static func randomQueryRect(_ generator: inout SeededGenerator) -> Rect {
        let x = generator.nextDouble(in: -5..<100), y = generator.nextDouble(in: -5..<100)
        let size = [0.0, 1, 5, 20, 50][Int(generator.next() % 5)]
        let width = generator.nextDouble(in: 0..<(size + 0.001)), height = generator.nextDouble(in: 0..<(size + 0.001))
        return Rect(minX: x, minY: y, maxX: x + width, maxY: y + (generator.next() % 7 == 0 ? 0 : height))
    }

    static func randomPoint(_ generator: inout SeededGenerator) -> Point {
        if generator.next() % 4 == 0 {  // on the grid: lands on edges and duplicate points
            return Point(x: Double(generator.next() % 200) / 2, y: Double(generator.next() % 200) / 2)
        }
        return Point(x: generator.nextDouble(in: -5..<105), y: generator.nextDouble(in: -5..<105))
    }

    static func randomEntries(count: Int, seed: UInt64) -> [(bounds: Rect, payload: Int)] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { (randomRect(&generator), $0) }
    }

    /// Manhattan metric for the custom-metric nearest tests: the node lower bound is the L1 distance
    /// to the rect; an entry's distance is the L1 distance to its centre plus a payload-dependent
    /// penalty, so both the rect and the payload matter and ties are common.
    static func manhattanLowerBound(_ point: Point) -> (Rect) -> Double {
        { rect in
            let dx = point.x < rect.minX ? rect.minX - point.x : (point.x > rect.maxX ? point.x - rect.maxX : 0)
            let dy = point.y < rect.minY ? rect.minY - point.y : (point.y > rect.maxY ? point.y - rect.maxY : 0)
            return dx + dy
        }
    }

    static func manhattanDistance(_ point: Point) -> (Rect, Int) -> Double {
        { rect, payload in
            let centre = rect.center
            return abs(centre.x - point.x) + abs(centre.y - point.y) + Double(payload % 3)
        }
    }
}

/// Compares every query kind of `tree` with `reference` at `queries` random windows and points.
func assertMatchesReference(_ tree: RTree<Int>, _ reference: BruteForceIndex<Int>, queries: Int,
                            generator: inout SeededGenerator, _ context: String,
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(tree.count, reference.count, "count \(context)", file: file, line: line)
    var allBounds = Rect.empty
    for entry in reference.entries { allBounds = allBounds.union(entry.bounds) }
    XCTAssertEqual(tree.bounds, allBounds, "bounds \(context)", file: file, line: line)
    var everything: [Int] = []
    tree.forEach { _, payload in everything.append(payload); return true }
    XCTAssertEqual(everything.sorted(), reference.entries.map(\.payload).sorted(),
                   "forEach(all) \(context)", file: file, line: line)
    let boundsByPayload = reference.boundsByPayload
    for _ in 0..<queries {
        let window = RTreeTestData.randomQueryRect(&generator)
        XCTAssertEqual(tree.search(intersecting: window).sorted(), reference.search(intersecting: window).sorted(),
                       "intersecting \(window) \(context)", file: file, line: line)
        XCTAssertEqual(tree.search(containedIn: window).sorted(), reference.search(containedIn: window).sorted(),
                       "containedIn \(window) \(context)", file: file, line: line)
        let point = RTreeTestData.randomPoint(&generator)
        XCTAssertEqual(tree.search(containing: point).sorted(), reference.search(containing: point).sorted(),
                       "containing \(point) \(context)", file: file, line: line)
        let k = [1, 3, 10, 50][Int(generator.next() % 4)]
        let maxDistance = generator.next() % 3 == 0 ? generator.nextDouble(in: 0..<15) : .infinity
        assertSameNeighbors(tree.nearest(to: point, k: k, maxDistance: maxDistance),
                            reference.nearest(to: point, k: k, maxDistance: maxDistance),
                            boundsByPayload, distance: { rect, _ in rect.squaredDistance(to: point).squareRoot() },
                            "nearest k=\(k) max=\(maxDistance) to \(point) \(context)",
                            file: file, line: line)
    }
}

/// Nearest results may differ among ties: the distances must agree exactly, and every returned
/// neighbour must be a real entry, at the distance `distance` gives it, returned once.
func assertSameNeighbors(_ actual: [Neighbor<Int>], _ expected: [Neighbor<Int>],
                         _ boundsByPayload: [Int: Rect], distance: (Rect, Int) -> Double,
                         _ context: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.map(\.distance), expected.map(\.distance), context, file: file, line: line)
    XCTAssertEqual(Set(actual.map(\.payload)).count, actual.count, "duplicate payloads: \(context)",
                   file: file, line: line)
    for neighbor in actual {
        XCTAssertEqual(boundsByPayload[neighbor.payload], neighbor.bounds,
                       "bounds of \(neighbor.payload): \(context)", file: file, line: line)
        XCTAssertEqual(distance(neighbor.bounds, neighbor.payload), neighbor.distance,
                       "distance of \(neighbor.payload): \(context)", file: file, line: line)
    }
}

extension BruteForceIndex where Payload == Int {
    /// Payload to bounds, for checking what a nearest query returned (payloads are unique ids).
    var boundsByPayload: [Int: Rect] {
        Dictionary(entries.map { ($0.payload, $0.bounds) }, uniquingKeysWith: { first, _ in first })
    }
}
