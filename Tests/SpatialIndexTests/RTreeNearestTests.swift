import XCTest
import GeoCore
import SpatialIndex
import TestSupport

final class RTreeNearestTests: XCTestCase {
    func testPlanarNearestMatchesBruteForceForEveryConfiguration() {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            let entries = RTreeTestData.randomEntries(count: 1_500, seed: 300 + UInt64(index))
            var tree = RTree<Int>(configuration: configuration)
            for entry in entries { tree.insert(entry.payload, bounds: entry.bounds) }
            let reference = BruteForceIndex(entries)
            let boundsByPayload = reference.boundsByPayload
            var generator = SeededGenerator(seed: 11)
            for _ in 0..<25 {
                let point = RTreeTestData.randomPoint(&generator)
                let byDistance = reference.neighbors(of: point)
                for k in [0, 1, 2, 10, 40] {
                    let maxDistance = k == 40 ? 4.0 : .infinity
                    assertSameNeighbors(tree.nearest(to: point, k: k, maxDistance: maxDistance),
                                        Array(byDistance.filter { $0.distance <= maxDistance }.prefix(k)),
                                        boundsByPayload,
                                        distance: { rect, _ in rect.squaredDistance(to: point).squareRoot() },
                                        "k=\(k) \(point) \(configuration)")
                }
            }
            XCTAssertEqual(tree.nearest(to: Point(x: 0, y: 0), k: 5_000).count, entries.count)
            XCTAssertTrue(tree.nearest(to: Point(x: 0, y: 0), k: 3, maxDistance: -1).isEmpty)
        }
    }

    func testNearestReturnsEveryTiedDuplicateDistance() {
        var tree = RTree<Int>(configuration: RTreeConfiguration(maxEntries: 4))
        let spot = Rect(point: Point(x: 3, y: 4))
        for payload in 0..<30 { tree.insert(payload, bounds: spot) }
        let found = tree.nearest(to: Point(x: 0, y: 0), k: 12)
        XCTAssertEqual(found.map(\.distance), Array(repeating: 5, count: 12))
        XCTAssertEqual(Set(found.map(\.payload)).count, 12)
    }

    func testCustomMetricDeliversInNonDecreasingOrderAndMatchesBruteForce() {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            let entries = RTreeTestData.randomEntries(count: 1_000, seed: 400 + UInt64(index))
            let tree = index % 2 == 0
                ? RTree(bulkLoading: entries, configuration: configuration)
                : entries.reduce(into: RTree<Int>(configuration: configuration)) { $0.insert($1.payload, bounds: $1.bounds) }
            let reference = BruteForceIndex(entries)
            let boundsByPayload = reference.boundsByPayload
            var generator = SeededGenerator(seed: 13)
            for _ in 0..<10 {
                let point = RTreeTestData.randomPoint(&generator)
                let lowerBound = RTreeTestData.manhattanLowerBound(point)
                let distance = RTreeTestData.manhattanDistance(point)
                let expected = reference.neighbors(distance: distance)

                var delivered: [Neighbor<Int>] = []
                tree.forEachNearest(to: point, lowerBound: lowerBound, distance: distance) { neighbor in
                    delivered.append(neighbor)
                    return true
                }
                assertSameNeighbors(delivered, expected, boundsByPayload, distance: distance, "all \(configuration)")

                let stopAfter = Int(generator.next() % 20) + 1
                var visited: [Neighbor<Int>] = []
                tree.forEachNearest(to: point, lowerBound: lowerBound, distance: distance) { neighbor in
                    visited.append(neighbor)
                    return visited.count < stopAfter
                }
                XCTAssertEqual(visited.count, stopAfter, "early exit \(configuration)")
                assertSameNeighbors(visited, Array(expected.prefix(stopAfter)), boundsByPayload, distance: distance,
                                    "early exit \(configuration)")

                let k = Int(generator.next() % 25) + 1
                let maxDistance = generator.nextDouble(in: 0..<30)
                let limited = expected.filter { $0.distance <= maxDistance }.prefix(k)
                assertSameNeighbors(tree.nearest(to: point, k: k, maxDistance: maxDistance,
                                                 lowerBound: lowerBound, distance: distance),
                                    Array(limited), boundsByPayload, distance: distance,
                                    "custom k=\(k) max=\(maxDistance) \(configuration)")
            }
        }
    }

    func testNearestOnEmptyTree() {
        let tree = RTree<Int>()
        XCTAssertTrue(tree.nearest(to: Point(x: 1, y: 1), k: 3).isEmpty)
        var visits = 0
        tree.forEachNearest(to: Point(x: 1, y: 1), lowerBound: { _ in 0 }, distance: { _, _ in 0 }) { _ in
            visits += 1
            return true
        }
        XCTAssertEqual(visits, 0)
    }
}
