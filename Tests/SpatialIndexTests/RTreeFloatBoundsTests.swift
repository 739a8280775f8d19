import XCTest
import GeoCore
@testable import SpatialIndex
import TestSupport

/// Inner nodes store child rects as Float32 rounded outward; these tests try to make that lose a
/// hit: coordinates Float cannot represent, query edges exactly on entries and one ulp beside them,
/// many entries inside one Float ulp, and coordinates beyond Float's range or below its precision.
final class RTreeFloatBoundsTests: XCTestCase {
    /// Rounding goes outward and is the tightest such Float, for every magnitude.
    func testOutwardRoundingNeverMovesInwardsAndIsTight() {
        var generator = SeededGenerator(seed: 71)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, -0.1, 1e-300, -1e-300, 1e-45, 1e-46, .leastNonzeroMagnitude,
                                Double(Float.greatestFiniteMagnitude), Double(Float.greatestFiniteMagnitude).nextUp,
                                -Double(Float.greatestFiniteMagnitude).nextUp, 1e39, -1e39, 1e300, -1e300,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity]
        for _ in 0..<5_000 {
            let magnitude = generator.nextDouble(in: -60..<60)
            let sign: Double = generator.next() % 2 == 0 ? 1 : -1
            values.append(sign * generator.nextDouble(in: 1..<10) * pow(10, magnitude.rounded()))
        }
        for value in values {
            let down = OutwardRounding.down(value), up = OutwardRounding.up(value)
            XCTAssertLessThanOrEqual(Double(down), value, "down(\(value))")
            XCTAssertGreaterThanOrEqual(Double(up), value, "up(\(value))")
            if down.isFinite || down == -.infinity && value.isFinite {
                XCTAssertGreaterThan(Double(down.nextUp), value, "down(\(value)) is not the largest Float below")
            }
            if up.isFinite || up == .infinity && value.isFinite {
                XCTAssertLessThan(Double(up.nextDown), value, "up(\(value)) is not the smallest Float above")
            }
            if Double(Float(value)) == value {
                XCTAssertEqual(Double(down), value, "\(value) is a Float: down must keep it")
                XCTAssertEqual(Double(up), value, "\(value) is a Float: up must keep it")
            }
        }
    }

    /// Hundreds of points inside one Float ulp (near 1000 an ulp is 6e-5), queried with windows
    /// whose edges sit exactly on a point and one Double ulp beside it: the inner nodes cannot tell
    /// these apart, the leaves must.
    func testQueryEdgesOnAndBesideEntriesInsideOneFloatUlp() throws {
        for configuration in RTreeTestData.configurations {
            var entries: [(bounds: Rect, payload: Int)] = []
            for index in 0..<600 {
                let x = 1000 + Double(index % 30) * 1e-7 + 0.1
                let y = 1000 + Double(index / 30) * 3e-6 - 0.1
                entries.append((Rect(point: Point(x: x, y: y)), index))
            }
            var tree = RTree<Int>(configuration: configuration)
            for entry in entries { tree.insert(entry.payload, bounds: entry.bounds) }
            try tree.validate()
            let reference = BruteForceIndex(entries)
            var generator = SeededGenerator(seed: 73)
            for _ in 0..<60 {
                let corner = entries[Int(generator.next() % UInt64(entries.count))].bounds
                let other = entries[Int(generator.next() % UInt64(entries.count))].bounds
                let onEdges = Rect(minX: Swift.min(corner.minX, other.minX), minY: Swift.min(corner.minY, other.minY),
                                   maxX: Swift.max(corner.maxX, other.maxX), maxY: Swift.max(corner.maxY, other.maxY))
                let justInside = Rect(minX: onEdges.minX.nextUp, minY: onEdges.minY.nextUp,
                                      maxX: onEdges.maxX.nextDown, maxY: onEdges.maxY.nextDown)
                let justOutside = Rect(minX: onEdges.minX.nextDown, minY: onEdges.minY.nextDown,
                                       maxX: onEdges.maxX.nextUp, maxY: onEdges.maxY.nextUp)
                for window in [onEdges, justInside, justOutside] where !window.isEmpty {
                    XCTAssertEqual(tree.search(intersecting: window).sorted(), reference.search(intersecting: window).sorted(),
                                   "intersecting \(window) \(configuration)")
                    XCTAssertEqual(tree.search(containedIn: window).sorted(), reference.search(containedIn: window).sorted(),
                                   "containedIn \(window) \(configuration)")
                }
                XCTAssertFalse(tree.search(intersecting: onEdges).isEmpty, "the corner entries themselves")
                let point = Point(x: corner.minX, y: corner.minY)
                XCTAssertEqual(tree.search(containing: point).sorted(), reference.search(containing: point).sorted())
                let probe = Point(x: point.x.nextUp, y: point.y)
                assertSameNeighbors(tree.nearest(to: probe, k: 7), reference.nearest(to: probe, k: 7),
                                    reference.boundsByPayload,
                                    distance: { rect, _ in rect.squaredDistance(to: probe).squareRoot() },
                                    "nearest to \(probe) \(configuration)")
            }
        }
    }

    /// Coordinates beyond Float's range (they round to ±infinity in inner nodes) and far below its
    /// precision, mixed in one tree, through inserts, removals and every query.
    func testHugeAndTinyCoordinatesMatchBruteForce() throws {
        let scales: [Double] = [1e-300, 1e-40, 1e-7, 1, 1e20, 3e38, 1e39, 1e300]
        for configuration in [RTreeConfiguration(maxEntries: 4), RTreeConfiguration(), RTreeConfiguration(split: .rstar)] {
            var generator = SeededGenerator(seed: 79)
            var tree = RTree<Int>(configuration: configuration)
            var reference = BruteForceIndex<Int>()
            for payload in 0..<800 {
                let scale = scales[Int(generator.next() % UInt64(scales.count))]
                let x = generator.nextDouble(in: -1..<1) * scale, y = generator.nextDouble(in: -1..<1) * scale
                let bounds = payload % 3 == 0
                    ? Rect(minX: x, minY: y, maxX: x + scale * 0.01, maxY: y + scale * 0.02)
                    : Rect(point: Point(x: x, y: y))
                tree.insert(payload, bounds: bounds)
                reference.insert(payload, bounds: bounds)
            }
            try tree.validate()
            for victim in reference.entries.filter({ $0.payload % 5 == 0 }) {
                XCTAssertTrue(tree.remove(victim.payload, bounds: victim.bounds))
                reference.remove(victim.payload, bounds: victim.bounds)
            }
            try tree.validate()
            var allBounds = Rect.empty
            for entry in reference.entries { allBounds = allBounds.union(entry.bounds) }
            XCTAssertEqual(tree.bounds, allBounds, "bounds stay exact after removals \(configuration)")
            let boundsByPayload = reference.boundsByPayload
            for _ in 0..<80 {
                let scale = scales[Int(generator.next() % UInt64(scales.count))]
                let x = generator.nextDouble(in: -1..<1) * scale, y = generator.nextDouble(in: -1..<1) * scale
                let window = Rect(minX: x, minY: y, maxX: x + scale * generator.nextDouble(in: 0..<1),
                                  maxY: y + scale * generator.nextDouble(in: 0..<1))
                XCTAssertEqual(tree.search(intersecting: window).sorted(), reference.search(intersecting: window).sorted(),
                               "intersecting \(window) \(configuration)")
                XCTAssertEqual(tree.search(containedIn: window).sorted(), reference.search(containedIn: window).sorted(),
                               "containedIn \(window) \(configuration)")
                let point = Point(x: x, y: y)
                XCTAssertEqual(tree.search(containing: point).sorted(), reference.search(containing: point).sorted())
                // Distances past 1e154 overflow to infinity when squared; ties there are arbitrary,
                // so compare nearest only where distances stay finite.
                if scale < 1e150 {
                    assertSameNeighbors(tree.nearest(to: point, k: 5), reference.nearest(to: point, k: 5),
                                        boundsByPayload,
                                        distance: { rect, _ in rect.squaredDistance(to: point).squareRoot() },
                                        "nearest to \(point) \(configuration)")
                }
            }
            // Every entry is found by a query exactly on its own rect.
            for entry in reference.entries {
                XCTAssertTrue(tree.search(intersecting: entry.bounds).contains(entry.payload), "\(entry) \(configuration)")
            }
        }
    }

    /// `bounds` is exact and O(1): it follows inserts, removals of edge entries and bulk loads.
    func testBoundsStayExactThroughEdgeRemovals() throws {
        var tree = RTree<Int>(configuration: RTreeConfiguration(maxEntries: 4))
        let xs: [Double] = [0.1, 0.2, 0.30000000000000004, 0.7, 1.0000000000000002]
        for (index, x) in xs.enumerated() { tree.insert(index, bounds: Rect(point: Point(x: x, y: x * 3))) }
        XCTAssertEqual(tree.bounds, Rect(minX: 0.1, minY: 0.1 * 3, maxX: 1.0000000000000002, maxY: 1.0000000000000002 * 3))
        XCTAssertTrue(tree.remove(4, bounds: Rect(point: Point(x: xs[4], y: xs[4] * 3))))
        XCTAssertEqual(tree.bounds, Rect(minX: 0.1, minY: 0.1 * 3, maxX: 0.7, maxY: 0.7 * 3))
        XCTAssertTrue(tree.remove(0, bounds: Rect(point: Point(x: xs[0], y: xs[0] * 3))))
        XCTAssertEqual(tree.bounds, Rect(minX: 0.2, minY: 0.2 * 3, maxX: 0.7, maxY: 0.7 * 3))
        try tree.validate()
        let bulk = RTree(bulkLoading: xs.enumerated().map { (Rect(point: Point(x: $1, y: -$1)), $0) },
                         configuration: RTreeConfiguration(maxEntries: 4))
        XCTAssertEqual(bulk.bounds, Rect(minX: 0.1, minY: -1.0000000000000002, maxX: 1.0000000000000002, maxY: -0.1))
        try bulk.validate()
    }

    func testValidateCatchesBoundsThatAreNotExact() {
        var tree = RTree(bulkLoading: RTreeTestData.randomEntries(count: 100, seed: 83),
                         configuration: RTreeConfiguration(maxEntries: 4))
        XCTAssertNoThrow(try tree.validate())
        tree.exactBounds.maxX = tree.exactBounds.maxX.nextUp
        XCTAssertThrowsError(try tree.validate()) { error in
            XCTAssertTrue("\(error)".contains("bounds"), "\(error)")
        }
    }
}
