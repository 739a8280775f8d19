import XCTest
import GeoCore
@testable import SpatialIndex
import TestSupport

/// Bulk loading, duplicates, copy-on-write, statistics and the validator itself.
final class RTreeStructureTests: XCTestCase {
    /// ⌈log_M n⌉ by integer arithmetic (at least 1 level for a non-empty tree).
    func expectedSTRHeight(_ count: Int, capacity: Int) -> Int {
        var height = 1, reach = capacity
        while reach < count {
            reach *= capacity
            height += 1
        }
        return count == 0 ? 0 : height
    }

    func testBulkLoadOfEdgeSizesValidatesAndMatchesBruteForce() throws {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            let capacity = configuration.maxEntries
            for size in [0, 1, capacity - 1, capacity, capacity + 1, capacity * capacity + 1, 2_000] {
                let entries = RTreeTestData.randomEntries(count: size, seed: 500 + UInt64(index * 10 + size))
                var tree = RTree(bulkLoading: entries, configuration: configuration)
                let context = "STR n=\(size) \(configuration)"
                do { try tree.validate() } catch { XCTFail("\(context): \(error)"); continue }
                var generator = SeededGenerator(seed: 17)
                var reference = BruteForceIndex(entries)
                assertMatchesReference(tree, reference, queries: 10, generator: &generator, context)
                let statistics = tree.statistics
                XCTAssertEqual(statistics.height, expectedSTRHeight(size, capacity: capacity), context)
                XCTAssertEqual(statistics.entryCount, size, context)
                XCTAssertEqual(statistics.leafCount, (size + capacity - 1) / capacity, context)
                if size == 2_000 {
                    XCTAssertGreaterThan(statistics.averageFill, 0.9, "STR packs nodes full: \(context)")
                }

                // A bulk-loaded tree is an ordinary tree afterwards.
                for payload in size..<(size + 30) {
                    let bounds = RTreeTestData.randomRect(&generator)
                    tree.insert(payload, bounds: bounds)
                    reference.insert(payload, bounds: bounds)
                }
                for entry in entries.prefix(size / 2) {
                    XCTAssertTrue(tree.remove(entry.payload, bounds: entry.bounds), context)
                    reference.remove(entry.payload, bounds: entry.bounds)
                }
                do { try tree.validate() } catch { XCTFail("\(context) after edits: \(error)") }
                assertMatchesReference(tree, reference, queries: 5, generator: &generator, "\(context) edited")
            }
        }
    }

    func testDuplicatesOfOneRectAreAllKeptAndRemovedOneAtATime() throws {
        for configuration in RTreeTestData.configurations {
            var tree = RTree<Int>(configuration: configuration)
            let spot = Rect(minX: 5, minY: 5, maxX: 6, maxY: 7)
            for payload in 0..<300 { tree.insert(payload % 50, bounds: spot) }
            try tree.validate()
            XCTAssertEqual(tree.search(containing: Point(x: 5.5, y: 6)).count, 300)
            XCTAssertEqual(tree.search(intersecting: spot).sorted(), (0..<300).map { $0 % 50 }.sorted())
            for round in 0..<6 {
                for payload in 0..<50 { XCTAssertTrue(tree.remove(payload, bounds: spot)) }
                try tree.validate()
                XCTAssertEqual(tree.count, 300 - 50 * (round + 1))
            }
            XCTAssertFalse(tree.remove(0, bounds: spot))
            XCTAssertTrue(tree.isEmpty)
        }
    }

    func testRemoveAllEmptiesAndTheTreeStaysUsable() throws {
        var tree = RTree(bulkLoading: RTreeTestData.randomEntries(count: 300, seed: 3))
        tree.removeAll()
        XCTAssertTrue(tree.isEmpty)
        XCTAssertEqual(tree.count, 0)
        XCTAssertEqual(tree.bounds, .empty)
        XCTAssertTrue(tree.search(intersecting: Rect(minX: 0, minY: 0, maxX: 100, maxY: 100)).isEmpty)
        XCTAssertEqual(tree.statistics.height, 0)
        try tree.validate()
        tree.insert(1, bounds: Rect(point: Point(x: 1, y: 2)))
        XCTAssertEqual(tree.search(containing: Point(x: 1, y: 2)), [1])
        try tree.validate()
    }

    func testMutatingACopyLeavesTheOriginalUnchanged() throws {
        let entries = RTreeTestData.randomEntries(count: 800, seed: 21)
        let original = RTree(bulkLoading: entries)
        var copy = original
        for entry in entries.prefix(400) { XCTAssertTrue(copy.remove(entry.payload, bounds: entry.bounds)) }
        for payload in 1_000..<1_200 { copy.insert(payload, bounds: Rect(point: Point(x: 50, y: 50))) }
        try original.validate()
        try copy.validate()
        var generator = SeededGenerator(seed: 23)
        assertMatchesReference(original, BruteForceIndex(entries), queries: 10, generator: &generator, "original")
        XCTAssertEqual(copy.count, 600)
        var removeAllCopy = original
        removeAllCopy.removeAll()
        XCTAssertEqual(original.count, 800)
    }

    func testInsertBuiltStatisticsRespectFillBounds() throws {
        for configuration in RTreeTestData.configurations {
            var tree = RTree<Int>(configuration: configuration)
            for entry in RTreeTestData.randomEntries(count: 1_000, seed: 29) {
                tree.insert(entry.payload, bounds: entry.bounds)
            }
            let statistics = tree.statistics
            XCTAssertEqual(statistics.entryCount, 1_000)
            XCTAssertGreaterThanOrEqual(statistics.minimumFill, configuration.minEntries)
            XCTAssertLessThanOrEqual(statistics.maximumFill, configuration.maxEntries)
            XCTAssertGreaterThan(statistics.averageFill, Double(configuration.minEntries) / Double(configuration.maxEntries) * 0.9)
            XCTAssertLessThanOrEqual(statistics.averageFill, 1)
            XCTAssertGreaterThan(statistics.nodeCount, statistics.leafCount)
            XCTAssertGreaterThanOrEqual(statistics.leafCount, 1_000 / configuration.maxEntries)
            XCTAssertGreaterThan(tree.allocatedByteCount, 1_000 * (MemoryLayout<Rect>.stride + 8))
        }
    }

    func testValidateReportsCorruption() {
        var tree = RTree(bulkLoading: RTreeTestData.randomEntries(count: 200, seed: 37),
                         configuration: RTreeConfiguration(maxEntries: 4))
        XCTAssertNoThrow(try tree.validate())
        var loose = tree
        var widened = loose.innerRect(loose.rootNode, 0)
        widened.maxX += 1
        loose.setInnerRect(loose.rootNode, 0, widened)
        XCTAssertThrowsError(try loose.validate()) { error in
            XCTAssertTrue("\(error)".contains("tight MBR"), "\(error)")
        }
        var miscounted = tree
        miscounted.entryCount += 1
        XCTAssertThrowsError(try miscounted.validate())
        tree.leafCounts[0] = 1
        XCTAssertThrowsError(try tree.validate())
    }

    func testConfigurationDefaults() {
        let configuration = RTreeConfiguration()
        XCTAssertTrue(configuration.isValid)
        XCTAssertEqual(RTreeConfiguration(maxEntries: 10).minEntries, 4)
        XCTAssertEqual(RTreeConfiguration(maxEntries: 4).minEntries, 2)
        XCTAssertFalse(RTreeConfiguration(maxEntries: 8, minEntries: 2).with(minEntries: 5).isValid)
    }
}

private extension RTreeConfiguration {
    func with(minEntries: Int) -> RTreeConfiguration {
        var copy = self
        copy.minEntries = minEntries
        return copy
    }
}
