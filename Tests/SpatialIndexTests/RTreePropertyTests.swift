import XCTest
import GeoCore
import SpatialIndex
import TestSupport

/// Every split variant and capacity against the brute-force reference on seeded random data.
final class RTreePropertyTests: XCTestCase {
    func testInsertBuiltTreesMatchBruteForce() throws {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            let entries = RTreeTestData.randomEntries(count: 2_000, seed: 100 + UInt64(index))
            var tree = RTree<Int>(configuration: configuration)
            for entry in entries { tree.insert(entry.payload, bounds: entry.bounds) }
            try tree.validate()
            var generator = SeededGenerator(seed: 7)
            assertMatchesReference(tree, BruteForceIndex(entries), queries: 25,
                                   generator: &generator, "\(configuration)")
        }
    }

    func testInterleavedInsertsRemovesAndUpdatesMatchBruteForce() throws {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            var generator = SeededGenerator(seed: 200 + UInt64(index))
            var tree = RTree<Int>(configuration: configuration)
            var reference = BruteForceIndex<Int>()
            var nextPayload = 0
            for batch in 0..<8 {
                for _ in 0..<(batch < 4 ? 150 : 100) {
                    let roll = generator.next() % 100
                    if roll < 50 || reference.count == 0 {
                        let bounds = RTreeTestData.randomRect(&generator)
                        tree.insert(nextPayload, bounds: bounds)
                        reference.insert(nextPayload, bounds: bounds)
                        nextPayload += 1
                    } else if roll < 70 {
                        let victim = reference.entries[Int(generator.next() % UInt64(reference.count))]
                        XCTAssertTrue(tree.remove(victim.payload, bounds: victim.bounds), "present \(victim)")
                        reference.remove(victim.payload, bounds: victim.bounds)
                    } else if roll < 75 {
                        let victim = reference.entries[Int(generator.next() % UInt64(reference.count))]
                        let removed = tree.remove(bounds: victim.bounds) { $0 == victim.payload }
                        XCTAssertEqual(removed, victim.payload)
                        reference.remove(victim.payload, bounds: victim.bounds)
                    } else if roll < 85 {
                        // Absent: right payload at wrong bounds, or right bounds with an unknown payload.
                        let victim = reference.entries[Int(generator.next() % UInt64(reference.count))]
                        var shifted = victim.bounds
                        shifted.maxX += 0.25
                        XCTAssertFalse(tree.remove(victim.payload, bounds: shifted))
                        XCTAssertNil(tree.remove(bounds: victim.bounds) { $0 == -1 })
                        XCTAssertFalse(tree.update(-1, from: victim.bounds, to: shifted))
                    } else {
                        let victim = reference.entries[Int(generator.next() % UInt64(reference.count))]
                        let target = RTreeTestData.randomRect(&generator)
                        XCTAssertTrue(tree.update(victim.payload, from: victim.bounds, to: target))
                        reference.remove(victim.payload, bounds: victim.bounds)
                        reference.insert(victim.payload, bounds: target)
                    }
                }
                do {
                    try tree.validate()
                } catch {
                    XCTFail("\(configuration) batch \(batch): \(error)")
                    return
                }
                assertMatchesReference(tree, reference, queries: 8, generator: &generator,
                                       "\(configuration) batch \(batch)")
            }
            // Drain to empty through removals only: condense-tree all the way down.
            while let victim = reference.entries.last {
                XCTAssertTrue(tree.remove(victim.payload, bounds: victim.bounds))
                reference.remove(victim.payload, bounds: victim.bounds)
                if reference.count % 97 == 0 { try tree.validate() }
            }
            XCTAssertTrue(tree.isEmpty)
            XCTAssertEqual(tree.bounds, .empty)
            try tree.validate()
        }
    }

    /// One larger seed with the default configuration, to reach deeper trees.
    func testLargerRandomWorkloadWithDefaultConfiguration() throws {
        var generator = SeededGenerator(seed: 31337)
        var tree = RTree<Int>()
        var reference = BruteForceIndex<Int>()
        for payload in 0..<6_000 {
            let bounds = RTreeTestData.randomRect(&generator)
            tree.insert(payload, bounds: bounds)
            reference.insert(payload, bounds: bounds)
        }
        for _ in 0..<2_000 {
            let victim = reference.entries[Int(generator.next() % UInt64(reference.count))]
            XCTAssertTrue(tree.remove(victim.payload, bounds: victim.bounds))
            reference.remove(victim.payload, bounds: victim.bounds)
        }
        try tree.validate()
        XCTAssertGreaterThanOrEqual(tree.statistics.height, 3)
        assertMatchesReference(tree, reference, queries: 60, generator: &generator, "default 6000")
    }

    func testEarlyExitStopsAfterExactlyTheRequestedVisits() {
        let entries = RTreeTestData.randomEntries(count: 500, seed: 5)
        let tree = RTree(bulkLoading: entries, configuration: RTreeConfiguration(maxEntries: 4))
        let everything = Rect(minX: -1, minY: -1, maxX: 200, maxY: 200)
        var visits = 0
        let completed = tree.forEach(intersecting: everything) { _, _ in
            visits += 1
            return visits < 5
        }
        XCTAssertFalse(completed)
        XCTAssertEqual(visits, 5)
        XCTAssertTrue(tree.forEach(containedIn: everything) { _, _ in true })
        visits = 0
        XCTAssertFalse(tree.forEach { _, _ in visits += 1; return false })
        XCTAssertEqual(visits, 1)
    }

    func testQueriesRethrowTheVisitorsError() {
        struct Stop: Error {}
        let tree = RTree(bulkLoading: RTreeTestData.randomEntries(count: 50, seed: 9))
        XCTAssertThrowsError(try tree.forEach(intersecting: tree.bounds) { _, _ in throw Stop() }) { error in
            XCTAssertTrue(error is Stop)
        }
    }
}
