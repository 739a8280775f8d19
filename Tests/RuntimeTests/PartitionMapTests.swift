import XCTest
import GeoCore
@testable import Runtime
import TestSupport

/// Seeded streams and plain brute-force references shared by the partitioning tests.
enum PartitionTestData {
    static let city = Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95)

    static func uniform(_ count: Int, in box: Rect, using generator: inout SeededGenerator) -> [Point] {
        (0..<count).map { _ in
            Point(x: generator.nextDouble(in: box.minX..<box.maxX), y: generator.nextDouble(in: box.minY..<box.maxY))
        }
    }

    /// 90% of the points in the 1% of the box at its north-east corner, the rest uniform.
    static func skewed(_ count: Int, in box: Rect, using generator: inout SeededGenerator) -> [Point] {
        let corner = Rect(minX: box.maxX - box.width / 10, minY: box.maxY - box.height / 10, maxX: box.maxX, maxY: box.maxY)
        return (0..<count).map { _ in
            let area = generator.nextDouble(in: 0..<1) < 0.9 ? corner : box
            return uniform(1, in: area, using: &generator)[0]
        }
    }

    /// Whether the slot with these closed bounds owns the point: west and south edges yes, east and
    /// north edges only where they are the bbox's.
    static func owns(_ bounds: Rect, _ point: Point, bbox: Rect) -> Bool {
        let inX = bounds.minX <= point.x && (point.x < bounds.maxX || (bounds.maxX == bbox.maxX && point.x == bbox.maxX))
        let inY = bounds.minY <= point.y && (point.y < bounds.maxY || (bounds.maxY == bbox.maxY && point.y == bbox.maxY))
        return inX && inY
    }

    /// The slots owning the point, by scanning every slot.
    static func owningSlots(_ map: SpacePartitionMap, _ point: Point) -> [Int] {
        map.slots.indices.filter { owns(map.slots[$0].bounds, point, bbox: map.bbox) }
    }

    /// Points on slot corners and edges, on the bbox's edges, outside it, and NaN.
    static func boundaryPoints(_ map: SpacePartitionMap) -> [Point] {
        var points: [Point] = []
        for slot in map.slots {
            let b = slot.bounds
            points += [Point(x: b.minX, y: b.minY), Point(x: b.maxX, y: b.maxY), Point(x: b.minX, y: b.maxY),
                       Point(x: b.maxX, y: b.minY), Point(x: b.minX, y: b.center.y), Point(x: b.maxX, y: b.center.y),
                       Point(x: b.center.x, y: b.minY), Point(x: b.center.x, y: b.maxY),
                       Point(x: b.minX.nextDown, y: b.minY.nextDown), Point(x: b.maxX.nextDown, y: b.maxY.nextDown)]
        }
        let box = map.bbox
        points += [Point(x: box.minX - 1e-9, y: box.center.y), Point(x: box.maxX.nextUp, y: box.center.y),
                   Point(x: box.center.x, y: box.maxY.nextUp), Point(x: box.center.x, y: box.minY.nextDown),
                   Point(x: .nan, y: box.center.y), Point(x: box.center.x, y: .nan), Point(x: .infinity, y: 0),
                   Point(x: -180, y: -90), Point(x: 180, y: 90)]
        return points
    }
}

/// Structure and point lookup of `SpacePartitionMap`, against scans of its own slot list and of
/// the sample.
final class PartitionMapTests: XCTestCase {
    typealias Data = PartitionTestData

    func testEveryPointIsOwnedByExactlyOneSlotAndRoutedToItsWorker() {
        var generator = SeededGenerator(seed: 1)
        let samples = [("empty", [Point]()), ("uniform", Data.uniform(8_192, in: Data.city, using: &generator)),
                       ("skewed", Data.skewed(8_192, in: Data.city, using: &generator))]
        for (name, sample) in samples {
            for workers in [1, 2, 3, 8] {
                let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: sample)
                let outside = Rect(minX: -74.5, minY: 40.3, maxX: -73.5, maxY: 41.1)
                let probes = Data.uniform(3_000, in: outside, using: &generator) + Data.boundaryPoints(map)
                for point in probes {
                    let owners = Data.owningSlots(map, point)
                    let context = "\(name) workers=\(workers) point=\(point)"
                    if Data.city.contains(point) {
                        XCTAssertEqual(owners.count, 1, context)
                        guard let slot = owners.first else { continue }
                        XCTAssertEqual(map.slotIndex(for: point), slot, context)
                        XCTAssertEqual(map.worker(for: point), map.slots[slot].worker, context)
                    } else {
                        XCTAssertEqual(owners, [], context)
                        XCTAssertNil(map.slotIndex(for: point), context)
                        XCTAssertEqual(map.worker(for: point), map.overflowWorker, context)
                    }
                }
            }
        }
    }

    /// The table-driven key is GeoCore's order-16 Hilbert curve: random cells, every cell of the
    /// corners and of a sub-block, and the axes.
    func testHilbertKeyIsGeoCoresCurve() {
        var generator = SeededGenerator(seed: 7)
        var cells: [(UInt32, UInt32)] = (0..<20_000).map { _ in (UInt32(generator.next() & 0xFFFF), UInt32(generator.next() & 0xFFFF)) }
        for a in 0..<64 as Range<UInt32> {
            for b in 0..<64 as Range<UInt32> { cells += [(a, b), (65_535 - a, b), (a, 65_535 - b), (65_535 - a, 65_535 - b), (a + 30_000, b + 17)] }
            cells += [(a << 10, 0), (0, a << 10), (a << 10 | 1023, 65_535)]
        }
        for (x, y) in cells {
            XCTAssertEqual(HilbertKey.index(x: x, y: y), SpaceFillingCurve.hilbertIndex(x: x, y: y, order: 16), "cell (\(x), \(y))")
        }
    }

    func testSharedEdgesBelongToTheEastAndNorthSlot() {
        let map = SpacePartitionMap(bbox: Data.city, workers: 4, sample: [])
        // Uniform level 3 for 4 workers (64 slots of 8 × 8 grid cells): column/row boundaries every 1/8.
        let columnEdge = Data.city.minX + Data.city.width * 3 / 8, rowEdge = Data.city.minY + Data.city.height * 5 / 8
        let onCorner = Point(x: columnEdge, y: rowEdge)
        let slot = map.slots[map.slotIndex(for: onCorner)!]
        XCTAssertEqual(slot.bounds.minX, columnEdge, accuracy: 1e-12)
        XCTAssertEqual(slot.bounds.minY, rowEdge, accuracy: 1e-12)
        XCTAssertEqual(map.slotIndex(for: Point(x: Data.city.maxX, y: Data.city.maxY)).map { map.slots[$0].bounds.maxX },
                       Data.city.maxX, "the bbox's north-east corner belongs to the north-east slot")
    }

    func testSlotsTileTheCurveWithAlignedCellsAndEachWorkerOwnsOneRunInOrder() {
        var generator = SeededGenerator(seed: 2)
        let skewed = Data.skewed(8_192, in: Data.city, using: &generator)
        for workers in [1, 2, 3, 8, 100] {
            for (sample, maxSlots) in [([Point](), 1024), (skewed, 1024), (skewed, 200)] {
                let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: sample, maxSlots: maxSlots)
                var next: UInt64 = 0
                var owners: [Int] = []
                for slot in map.slots {
                    let length = slot.hilbertRange.count
                    XCTAssertEqual(slot.hilbertRange.lowerBound, next)
                    XCTAssertEqual(UInt64(length).nonzeroBitCount, 1)
                    XCTAssertEqual(UInt64(length).trailingZeroBitCount % 2, 0, "a quadtree cell covers 4^k keys")
                    XCTAssertEqual(slot.hilbertRange.lowerBound % UInt64(length), 0, "cells are aligned")
                    next = slot.hilbertRange.upperBound
                    if owners.last != slot.worker { owners.append(slot.worker) }
                }
                XCTAssertEqual(next, 1 << 32, "the slots cover the whole order-16 curve")
                XCTAssertEqual(owners, Array(0..<workers), "one contiguous run per worker, in worker order")
                XCTAssertEqual(map.workerCount, workers)
                XCTAssertEqual(map.overflowWorker, 0)
                var oneEach = 1
                while oneEach < workers { oneEach *= 4 }
                XCTAssertLessThanOrEqual(map.slots.count, max(maxSlots, oneEach), "the cap rises only to give each worker a slot")
            }
        }
    }

    /// Each slot's bounds are the grid cells its Hilbert range covers, computed here from the curve.
    func testSlotBoundsAreTheCellsOfTheirHilbertRange() {
        var generator = SeededGenerator(seed: 3)
        let map = SpacePartitionMap(bbox: Data.city, workers: 3, sample: Data.skewed(8_192, in: Data.city, using: &generator))
        var area = 0.0
        for slot in map.slots {
            let side = UInt32(1) << UInt32(16 - slot.level)
            var minCell = (x: UInt32.max, y: UInt32.max), maxCell = (x: UInt32(0), y: UInt32(0))
            for key in [slot.hilbertRange.lowerBound, slot.hilbertRange.upperBound - 1] {
                let cell = SpaceFillingCurve.hilbertCell(of: key, order: 16)
                minCell = (min(minCell.x, cell.x), min(minCell.y, cell.y))
                maxCell = (max(maxCell.x, cell.x), max(maxCell.y, cell.y))
            }
            // The first and last keys of an aligned Hilbert block lie in the same cell of its level.
            XCTAssertEqual(minCell.x / side, maxCell.x / side)
            XCTAssertEqual(minCell.y / side, maxCell.y / side)
            let x0 = Double(minCell.x / side * side), y0 = Double(minCell.y / side * side)
            let expected = Rect(minX: Data.city.minX + Data.city.width * x0 / 65_536,
                                minY: Data.city.minY + Data.city.height * y0 / 65_536,
                                maxX: Data.city.minX + Data.city.width * (x0 + Double(side)) / 65_536,
                                maxY: Data.city.minY + Data.city.height * (y0 + Double(side)) / 65_536)
            XCTAssertEqual(slot.bounds.minX, expected.minX, accuracy: 1e-12)
            XCTAssertEqual(slot.bounds.minY, expected.minY, accuracy: 1e-12)
            XCTAssertEqual(slot.bounds.maxX, expected.maxX, accuracy: 1e-12)
            XCTAssertEqual(slot.bounds.maxY, expected.maxY, accuracy: 1e-12)
            area += slot.bounds.area
        }
        XCTAssertEqual(area, Data.city.area, accuracy: Data.city.area * 1e-12)
    }

    func testAnEmptySampleGivesAUniformLevelWithAtLeastSixteenSlotsPerWorkerSplitEvenly() {
        for (workers, expectedSlots) in [(1, 16), (2, 64), (3, 64), (8, 256), (64, 1024), (100, 1024)] {
            let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: [])
            XCTAssertEqual(map.slots.count, expectedSlots, "workers=\(workers)")
            XCTAssertTrue(map.slots.allSatisfy { $0.sampleCount == 0 && $0.level == map.slots[0].level })
            let perWorker = Dictionary(grouping: map.slots, by: \.worker).mapValues(\.count)
            let fair = Double(expectedSlots) / Double(workers)
            for (worker, count) in perWorker {
                XCTAssertLessThanOrEqual(abs(Double(count) - fair), 1, "workers=\(workers) worker=\(worker)")
            }
        }
        XCTAssertEqual(SpacePartitionMap(bbox: Data.city, workers: 8, sample: [], maxSlots: 64).slots.count, 64,
                       "the uniform level drops to fit the slot cap")
        XCTAssertEqual(SpacePartitionMap(bbox: Data.city, workers: 20, sample: [], maxSlots: 4).slots.count, 64,
                       "but never below one slot per worker")
    }

    /// Sample counts are recounted by scanning; a slot below the base level was split because its
    /// parent held more than the threshold; a slot over the threshold is at level 16 or the cap stopped it.
    func testDenseCellsSplitAndOnlyThoseAndCountsMatchTheSample() {
        var generator = SeededGenerator(seed: 4)
        let outside = [Point(x: -75, y: 40.7), Point(x: .nan, y: 40.7)]
        let sample = Data.skewed(8_192, in: Data.city, using: &generator) + outside
        // A cluster of identical points forces splits down to level 16.
        let stacked = sample + Array(repeating: Point(x: -74.0, y: 40.6), count: 4_000)
        for points in [sample, stacked] {
            for (workers, maxSlots) in [(2, 1024), (8, 1024), (8, 300)] {
                let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: points, maxSlots: maxSlots)
                let inside = points.filter { Data.city.contains($0) }
                let threshold = Double(inside.count) / Double(workers * 16)
                var baseLevel = 0
                while 1 << (2 * baseLevel) < workers { baseLevel += 1 }
                var counted = Array(repeating: 0, count: map.slots.count)
                for point in inside { counted[Data.owningSlots(map, point)[0]] += 1 }
                XCTAssertEqual(map.slots.map(\.sampleCount), counted)
                let capReached = map.slots.count + 3 > maxSlots
                // A split parent's descendants are the slots from the one starting at its start to the
                // one starting at its end.
                var slotStarting: [UInt64: Int] = [1 << 32: map.slots.count]
                var countBefore = [0]
                for (i, slot) in map.slots.enumerated() {
                    slotStarting[slot.hilbertRange.lowerBound] = i
                    countBefore.append(countBefore[i] + slot.sampleCount)
                }
                for slot in map.slots {
                    XCTAssertGreaterThanOrEqual(slot.level, baseLevel)
                    if Double(slot.sampleCount) > threshold { XCTAssertTrue(slot.level == 16 || capReached) }
                    if slot.level > baseLevel {
                        let parentLength = UInt64(slot.hilbertRange.count) * 4
                        let parentStart = slot.hilbertRange.lowerBound / parentLength * parentLength
                        guard let first = slotStarting[parentStart], let end = slotStarting[parentStart + parentLength] else {
                            XCTFail("slot \(slot.hilbertRange) has no parent made of whole slots")
                            continue
                        }
                        let parentCount = countBefore[end] - countBefore[first]
                        XCTAssertGreaterThan(Double(parentCount), threshold)
                    }
                }
                XCTAssertLessThanOrEqual(map.slots.count, maxSlots)
                if points.count > sample.count { XCTAssertTrue(map.slots.contains { $0.level == 16 } || capReached) }
            }
        }
    }

    /// A map built from the first 8,192 events spreads a second draw of the same stream within 0.5× to
    /// 2× of the fair share on every worker.
    func testSkewedAndUniformStreamsSpreadWithinHalfAndTwiceTheFairShare() {
        var generator = SeededGenerator(seed: 5)
        for (name, draw) in [("skewed", Data.skewed), ("uniform", Data.uniform)] as [(String, (Int, Rect, inout SeededGenerator) -> [Point])] {
            for workers in [2, 3, 8] {
                let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: draw(8_192, Data.city, &generator))
                var load = Array(repeating: 0, count: workers)
                let stream = draw(50_000, Data.city, &generator)
                for point in stream { load[map.worker(for: point)] += 1 }
                let fair = Double(stream.count) / Double(workers)
                for (worker, count) in load.enumerated() {
                    XCTAssertGreaterThanOrEqual(Double(count), fair * 0.5, "\(name) workers=\(workers) worker=\(worker) \(load)")
                    XCTAssertLessThanOrEqual(Double(count), fair * 2, "\(name) workers=\(workers) worker=\(worker) \(load)")
                }
            }
        }
    }

    func testTheSameSampleInAnyOrderGivesTheSameMap() {
        var generator = SeededGenerator(seed: 6)
        let sample = Data.skewed(4_000, in: Data.city, using: &generator)
        let map = SpacePartitionMap(bbox: Data.city, workers: 3, sample: sample)
        let again = SpacePartitionMap(bbox: Data.city, workers: 3, sample: sample.shuffled(using: &generator))
        XCTAssertEqual(map, again)
        XCTAssertEqual(map.version, again.version)
        XCTAssertEqual(map.serialized(), again.serialized())
        XCTAssertNotEqual(map.version, SpacePartitionMap(bbox: Data.city, workers: 4, sample: sample).version)
        XCTAssertNotEqual(map.version, SpacePartitionMap(bbox: Data.city, workers: 3, sample: Array(sample.dropLast())).version)
    }
}
