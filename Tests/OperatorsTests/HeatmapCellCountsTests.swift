@testable import Operators
import TestSupport
import XCTest

/// The hot-path table against `Dictionary`, on keys that collide in the low bits, grow the table
/// many times, and repeat.
final class HeatmapCellCountsTests: XCTestCase {
    func testCountsMatchADictionaryThroughGrowthAndReuse() {
        var random = SeededGenerator(seed: 5)
        var table = HeatmapCellCounts()
        for round in 0..<3 {
            var reference: [Int64: Int] = [:]
            for _ in 0..<(2_000 * (round + 1)) {
                // Keys shaped like the grid's: row in the high 32 bits, column in the low ones.
                let key = Int64(random.int(in: 0...60)) << 32 | Int64(random.int(in: 0...80))
                let amount = random.int(in: 1...3)
                table.add(key, amount)
                reference[key, default: 0] += amount
            }
            XCTAssertEqual(table.count, reference.count)
            var seen: [Int64: Int] = [:]
            table.forEach { key, count in seen[key] = count }
            XCTAssertEqual(seen, reference)
            let sorted = table.sortedByKey()
            XCTAssertEqual(sorted.map(\.key), reference.keys.sorted())
            XCTAssertEqual(sorted.map(\.count), reference.keys.sorted().map { reference[$0]! })
            table.removeAll()
            XCTAssertTrue(table.isEmpty)
            table.forEach { key, _ in XCTFail("key \(key) left after removeAll") }
        }
    }

    func testReservedTableHoldsItsCapacityAndZeroKeyIsAKey() {
        var table = HeatmapCellCounts(minimumCapacity: 100)
        table.add(0)
        table.add(0)
        table.add(Int64.max)
        XCTAssertEqual(table.sortedByKey().map(\.key), [0, .max])
        XCTAssertEqual(table.sortedByKey().map(\.count), [2, 1])
    }
}
