import XCTest
import GeoCore
@testable import SpatialIndex
import TestSupport

/// `reserveCapacity(forEntries:)`: inserts after a reservation never grow the arena in the case it
/// is meant for, and a reserved tree behaves exactly like an unreserved one everywhere else.
final class RTreeReserveTests: XCTestCase {
    /// Uniform points inserted one by one with the default configuration: the case the fill
    /// estimate was measured on, so the arena must not grow (grow = copy) while they go in.
    func testReservedArenaDoesNotGrowWhileTheReservedPointsGoIn() throws {
        let count = 50_000
        var generator = SeededGenerator(seed: 91)
        var tree = RTree<Int>()
        tree.reserveCapacity(forEntries: count)
        let reservedBytes = tree.allocatedByteCount
        XCTAssertGreaterThan(reservedBytes, count * MemoryLayout<Rect>.stride, "the reservation holds every rect")
        for payload in 0..<count {
            let point = Point(x: generator.nextDouble(in: 0..<1000), y: generator.nextDouble(in: 0..<1000))
            tree.insert(payload, bounds: Rect(point: point))
        }
        XCTAssertEqual(tree.allocatedByteCount, reservedBytes, "inserting the reserved entries grew the arena")
        try tree.validate()
        XCTAssertEqual(tree.count, count)
    }

    /// Reserving too little, about right, too much, zero, and again on a non-empty tree: every
    /// configuration still validates and answers like brute force after inserts and removals.
    func testReservedTreesMatchBruteForceForEveryConfiguration() throws {
        for (index, configuration) in RTreeTestData.configurations.enumerated() {
            for reserved in [0, 10, 600, 5_000] {
                let entries = RTreeTestData.randomEntries(count: 600, seed: 700 + UInt64(index * 10))
                var tree = RTree<Int>(configuration: configuration)
                tree.reserveCapacity(forEntries: reserved)
                var reference = BruteForceIndex<Int>()
                for (position, entry) in entries.enumerated() {
                    tree.insert(entry.payload, bounds: entry.bounds)
                    reference.insert(entry.payload, bounds: entry.bounds)
                    if position == 300 { tree.reserveCapacity(forEntries: reserved * 2) }
                }
                for entry in entries.prefix(200) {
                    XCTAssertTrue(tree.remove(entry.payload, bounds: entry.bounds))
                    reference.remove(entry.payload, bounds: entry.bounds)
                }
                let context = "\(configuration) reserved \(reserved)"
                do { try tree.validate() } catch { XCTFail("\(context): \(error)"); continue }
                var generator = SeededGenerator(seed: 33)
                assertMatchesReference(tree, reference, queries: 10, generator: &generator, context)
            }
        }
    }

    /// A reservation on a copy is a mutation: the original snapshot keeps its arena and entries.
    func testReservingOnACopyLeavesTheOriginalUntouched() throws {
        let entries = RTreeTestData.randomEntries(count: 500, seed: 808)
        var original = RTree<Int>()
        for entry in entries { original.insert(entry.payload, bounds: entry.bounds) }
        let originalBytes = original.allocatedByteCount
        var copy = original
        copy.reserveCapacity(forEntries: 100_000)
        copy.insert(-1, bounds: Rect(point: Point(x: 1, y: 1)))
        XCTAssertGreaterThan(copy.allocatedByteCount, originalBytes)
        XCTAssertEqual(original.allocatedByteCount, originalBytes)
        XCTAssertEqual(original.count, 500)
        XCTAssertEqual(copy.count, 501)
        try original.validate()
        try copy.validate()
        XCTAssertFalse(original.search(containing: Point(x: 1, y: 1)).contains(-1))
        XCTAssertTrue(copy.search(containing: Point(x: 1, y: 1)).contains(-1))
    }
}
