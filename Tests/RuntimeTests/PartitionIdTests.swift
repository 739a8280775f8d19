import XCTest
@testable import Runtime
import TestSupport

/// `IdPartitioner`: its hash is stable (pinned), spreads ids evenly, and moves few ids when a
/// worker is added.
final class PartitionIdTests: XCTestCase {
    /// Published FNV-1a 64 test vectors (Fowler, Noll, Vo).
    func testFNV1aMatchesThePublishedVectors() {
        XCTAssertEqual(StableHash.fnv1a(Array("".utf8)), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(StableHash.fnv1a(Array("a".utf8)), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(StableHash.fnv1a(Array("foobar".utf8)), 0x8594_4171_F739_67E8)
    }

    /// Jump consistent hash, written out as in Lamping and Veach's paper, on random keys.
    func testJumpBucketMatchesThePaper() {
        func paper(_ key: UInt64, _ buckets: Int32) -> Int32 {
            var key = key, b: Int64 = -1, j: Int64 = 0
            while j < Int64(buckets) {
                b = j
                key = key &* 2862933555777941757 &+ 1
                j = Int64(Double(b + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
            }
            return Int32(b)
        }
        var generator = SeededGenerator(seed: 30)
        for _ in 0..<2_000 {
            let key = generator.next(), buckets = Int(1 + generator.next() % 500)
            XCTAssertEqual(StableHash.jumpConsistentBucket(key, buckets: buckets), Int(paper(key, Int32(buckets))))
        }
    }

    /// A changed hash would send stored per-object state to the wrong worker after an upgrade.
    func testOutputsArePinned() {
        let ids = ["", "a", "vehicle-1", "vehicle-2", "367151850", "taxi/Ω-7", String(repeating: "x", count: 100)]
        let pinned: [Int: [Int]] = [
            2: [1, 1, 0, 0, 0, 0, 1],
            3: [1, 1, 0, 0, 2, 0, 2],
            8: [1, 5, 7, 3, 5, 4, 4],
            1000: [499, 723, 20, 877, 115, 91, 109],
            65_536: [23_866, 57_816, 29_578, 28_274, 115, 45_934, 65_490],
        ]
        for (workers, expected) in pinned {
            let partitioner = IdPartitioner(workers: workers)
            XCTAssertEqual(ids.map { partitioner.worker(for: $0) }, expected, "workers=\(workers)")
        }
    }

    func testHundredThousandIdsSpreadWithinTenPercentOfTheFairShare() {
        for workers in [2, 3, 8, 13] {
            let partitioner = IdPartitioner(workers: workers)
            var load = Array(repeating: 0, count: workers)
            for i in 0..<100_000 { load[partitioner.worker(for: "vehicle-\(i)")] += 1 }
            let fair = 100_000.0 / Double(workers)
            for count in load { XCTAssertEqual(Double(count), fair, accuracy: fair * 0.1, "workers=\(workers) \(load)") }
        }
    }

    func testAddingAWorkerMovesAboutOneInNPlusOneIdsAllToTheNewWorker() {
        for workers in [1, 2, 7] {
            let before = IdPartitioner(workers: workers), after = IdPartitioner(workers: workers + 1)
            var moved = 0
            for i in 0..<20_000 {
                let id = "obj\(i)"
                let (old, new) = (before.worker(for: id), after.worker(for: id))
                if old != new {
                    moved += 1
                    XCTAssertEqual(new, workers, "an id only ever moves to the new worker")
                }
            }
            let expected = 20_000.0 / Double(workers + 1)
            XCTAssertEqual(Double(moved), expected, accuracy: expected * 0.1, "workers=\(workers)")
        }
    }

    func testTheSameTextGivesTheSameWorkerHoweverTheStringWasMade() {
        let partitioner = IdPartitioner(workers: 97)
        let literal = "vessel-Ångström-42"
        let decoded = String(decoding: Array(literal.utf8), as: UTF8.self)
        let sliced = String("xxvessel-Ångström-42".dropFirst(2))
        let composed = "vessel-" + "Ångström" + "-\(42)"
        for other in [decoded, sliced, composed] { XCTAssertEqual(partitioner.worker(for: other), partitioner.worker(for: literal)) }
        XCTAssertEqual(IdPartitioner(workers: 1).worker(for: literal), 0)
    }
}
