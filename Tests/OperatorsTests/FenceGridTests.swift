import Foundation
import GeoCore
@testable import Operators
import TestSupport
import XCTest

/// The point-location grid in front of the fence R-tree: every point query answers exactly what
/// testing every fence directly answers, for static fences, huge ones, points on cell borders and
/// outside the grid, and through dynamic inserts, replacements and removals (grid rebuilds included).
final class FenceGridTests: XCTestCase {
    static let box = Rect(minX: 0, minY: 0, maxX: 100, maxY: 100)

    /// A rect, a star polygon, a holed square, a two-part multipolygon or (rarely) a huge rect.
    static func randomFence(_ id: String, in box: Rect, _ random: inout SeededGenerator) -> FenceDefinition {
        let center = Point(x: random.nextDouble(in: box.minX..<box.maxX), y: random.nextDouble(in: box.minY..<box.maxY))
        let size = random.nextDouble(in: 0.5..<4)
        switch random.next() % 10 {
        case 0, 1:
            return FenceDefinition(id: id, shape: .rect(Rect(minX: center.x - size, minY: center.y - size / 2,
                                                             maxX: center.x + size, maxY: center.y + size / 2)))
        case 2:
            let outer = square(center, size), hole = square(center, size / 2)
            return FenceDefinition(id: id, shape: .polygon(Polygon(uncheckedExterior: outer, holes: [hole])))
        case 3:
            let parts = [Polygon(uncheckedExterior: square(center, size / 3)),
                         Polygon(uncheckedExterior: square(Point(x: center.x + size, y: center.y), size / 3))]
            return FenceDefinition(id: id, shape: .multiPolygon(MultiPolygon(parts)))
        case 4 where random.next() % 8 == 0:
            // Huge: meets far more cells than the grid accepts for one fence.
            return FenceDefinition(id: id, shape: .rect(Rect(minX: center.x - 40, minY: center.y - 30,
                                                             maxX: center.x + 40, maxY: center.y + 30)))
        default:
            return FenceDefinition(id: id, shape: .polygon(Polygon(uncheckedExterior:
                RangeAlertScenario.starRing(around: center, radius: size, vertices: 20, &random))))
        }
    }

    static func square(_ center: Point, _ half: Double) -> [Point] {
        [Point(x: center.x - half, y: center.y - half), Point(x: center.x + half, y: center.y - half),
         Point(x: center.x + half, y: center.y + half), Point(x: center.x - half, y: center.y + half),
         Point(x: center.x - half, y: center.y - half)]
    }

    /// Every live fence tested directly: bounds, then the exact predicate.
    static func bruteForce(_ fences: [String: FenceDefinition], _ point: Point) -> [String] {
        fences.values.filter { fence in
            let prepared = PreparedFence(fence)
            return prepared.bounds.contains(point) && prepared.contains(point)
        }.map(\.id).sorted()
    }

    /// Points spread over and beyond the box, on fence bounds edges and corners, and on cell borders.
    static func queryPoints(_ fences: [FenceDefinition], grid: FenceGrid?, _ random: inout SeededGenerator) -> [Point] {
        var points: [Point] = []
        for _ in 0..<300 {
            points.append(Point(x: random.nextDouble(in: -20..<120), y: random.nextDouble(in: -20..<120)))
        }
        for fence in fences.prefix(60) {
            let bounds = fence.shape.bounds
            points += [Point(x: bounds.minX, y: bounds.minY), Point(x: bounds.maxX, y: bounds.maxY),
                       Point(x: bounds.minX, y: (bounds.minY + bounds.maxY) / 2), Point(x: (bounds.minX + bounds.maxX) / 2, y: bounds.maxY)]
            if case let .polygon(polygon) = fence.shape { points += polygon.exterior.prefix(4) }
        }
        if let grid, !grid.extent.isEmpty {
            for _ in 0..<100 {
                let column = Double(random.next() % UInt64(grid.columns + 1)), row = Double(random.next() % UInt64(grid.rows + 1))
                let x = grid.extent.minX + column * grid.cellSide, y = grid.extent.minY + row * grid.cellSide
                points += [Point(x: x, y: y), Point(x: x, y: random.nextDouble(in: -20..<120)), Point(x: random.nextDouble(in: -20..<120), y: y)]
            }
        }
        return points
    }

    /// The index's point queries, through both entry points, against brute force.
    static func assertMatchesBruteForce(_ index: FenceIndex, _ live: [String: FenceDefinition], _ points: [Point],
                                        _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        for point in points {
            let expected = bruteForce(live, point)
            XCTAssertEqual(index.fenceIDs(containing: point), expected, "\(message) at \(point)", file: file, line: line)
            var slots: [FenceIndex.Slot] = []
            index.appendSlots(containing: point, to: &slots)
            XCTAssertEqual(slots.map { index.fence(at: $0)!.id }.sorted(), expected, "appendSlots: \(message) at \(point)", file: file, line: line)
        }
    }

    func testStaticFencesAgainstBruteForce() {
        for seed in [1, 2, 3] as [UInt64] {
            var random = SeededGenerator(seed: seed)
            let fences = (0..<400).map { Self.randomFence("s\($0)", in: Self.box, &random) }
            let index = FenceIndex(fences: fences)
            let grid = FenceGrid(bounds: fences.map { $0.shape.bounds })
            XCTAssertGreaterThan(grid.griddedCount, 300, "most fences are gridded")
            XCTAssertLessThan(grid.griddedCount, 400, "the huge ones are not")
            let points = Self.queryPoints(fences, grid: grid, &random)
            Self.assertMatchesBruteForce(index, Dictionary(uniqueKeysWithValues: fences.map { ($0.id, $0) }), points, "seed \(seed)")
        }
    }

    /// The grid alone, on a lattice of unit squares whose edges fall on cell borders: every square
    /// whose closed bounds hold the point is listed, once.
    func testGridCandidatesOnCellBordersAgainstBruteForce() {
        var bounds: [Rect?] = []
        for x in 0..<20 {
            for y in 0..<20 { bounds.append(Rect(minX: Double(x), minY: Double(y), maxX: Double(x + 1), maxY: Double(y + 1))) }
        }
        bounds[7] = nil  // an empty slot
        let grid = FenceGrid(bounds: bounds)
        XCTAssertEqual(grid.griddedCount, 399)
        XCTAssertLessThanOrEqual(grid.columns * grid.rows, FenceGrid.cellsPerFence * 399)
        var random = SeededGenerator(seed: 9)
        var points: [Point] = []
        for x in stride(from: -1.0, through: 21, by: 0.5) {
            for y in stride(from: -1.0, through: 21, by: 0.5) { points.append(Point(x: x, y: y)) }
        }
        for k in 0...grid.columns + 1 {
            let border = grid.extent.minX + Double(k) * grid.cellSide
            points += [Point(x: border, y: random.nextDouble(in: 0..<20)), Point(x: random.nextDouble(in: 0..<20), y: border)]
        }
        for point in points {
            var found: [Int] = []
            grid.forEachSlot(withBoundsContaining: point) { found.append(Int($0)) }
            let expected = bounds.indices.filter { bounds[$0]?.contains(point) ?? false }
            XCTAssertEqual(found.sorted(), expected, "at \(point)")
        }
    }

    /// Huge fences and degenerate inputs: a zero-size rect, all fences the same, no fences.
    func testHugeAndDegenerateFences() {
        let huge = FenceDefinition(id: "huge", shape: .rect(Rect(minX: -1_000, minY: -1_000, maxX: 1_000, maxY: 1_000)))
        let dot = FenceDefinition(id: "dot", shape: .rect(Rect(minX: 5, minY: 5, maxX: 5, maxY: 5)))
        var random = SeededGenerator(seed: 4)
        let small = (0..<50).map { Self.randomFence("t\($0)", in: Self.box, &random) }
        let fences = small + [huge, dot]
        let grid = FenceGrid(bounds: fences.map { $0.shape.bounds })
        XCTAssertFalse(grid.holds(Int32(fences.count - 2)), "the huge fence goes to the overflow path")
        XCTAssertLessThan(grid.cellSide, 20, "the huge fence does not coarsen the cells of the small ones")
        XCTAssertGreaterThanOrEqual(grid.griddedCount, 45)
        let index = FenceIndex(fences: fences)
        let live = Dictionary(uniqueKeysWithValues: fences.map { ($0.id, $0) })
        Self.assertMatchesBruteForce(index, live, Self.queryPoints(fences, grid: grid, &random) + [Point(x: 5, y: 5), Point(x: 999, y: -999)], "huge")
        XCTAssertEqual(index.fenceIDs(containing: Point(x: 5, y: 5)), Self.bruteForce(live, Point(x: 5, y: 5)))
        XCTAssertTrue(index.fenceIDs(containing: Point(x: 5, y: 5)).contains("dot"))

        let same = (0..<10).map { FenceDefinition(id: "d\($0)", shape: dot.shape) }
        let sameIndex = FenceIndex(fences: same)
        XCTAssertEqual(sameIndex.fenceIDs(containing: Point(x: 5, y: 5)), same.map(\.id).sorted())
        XCTAssertEqual(sameIndex.fenceIDs(containing: Point(x: 5, y: 5.0000001)), [])

        let empty = FenceIndex()
        XCTAssertEqual(empty.fenceIDs(containing: Point(x: 0, y: 0)), [])
    }

    /// Random inserts (inside and far outside the first fences' extent), shape replacements and
    /// removals, with queries after each batch: enough changes to rebuild the grid several times.
    func testDynamicUpdatesAgainstBruteForce() {
        for seed in [11, 12] as [UInt64] {
            var random = SeededGenerator(seed: seed)
            let initial = (0..<200).map { Self.randomFence("s\($0)", in: Self.box, &random) }
            var index = FenceIndex(fences: initial)
            var live = Dictionary(uniqueKeysWithValues: initial.map { ($0.id, $0) })
            let far = Rect(minX: 150, minY: -80, maxX: 220, maxY: 0)
            var next = 0
            var rebuilds = 0
            var lastGridSize = index.gridStatistics.gridded
            for step in 0..<1_200 {
                let ids = live.keys.sorted()
                switch random.next() % 4 {
                case 0 where !ids.isEmpty:
                    let id = ids[Int(random.next() % UInt64(ids.count))]
                    XCTAssertNotNil(index.remove(id: id))
                    live[id] = nil
                case 1 where !ids.isEmpty:
                    let id = ids[Int(random.next() % UInt64(ids.count))]
                    let box = random.next() % 3 == 0 ? far : Self.box
                    let replacement = Self.randomFence(id, in: box, &random)
                    XCTAssertNotNil(index.insertOrReplace(replacement))
                    live[id] = replacement
                default:
                    let box = random.next() % 3 == 0 ? far : Self.box
                    let fence = Self.randomFence("n\(next)", in: box, &random)
                    next += 1
                    XCTAssertNotNil(index.insertOrReplace(fence))
                    live[fence.id] = fence
                }
                XCTAssertEqual(index.count, live.count)
                let stats = index.gridStatistics
                if stats.gridded > lastGridSize { rebuilds += 1 }
                lastGridSize = stats.gridded
                if step % 60 == 59 {
                    var points: [Point] = []
                    for _ in 0..<150 { points.append(Point(x: random.nextDouble(in: -20..<230), y: random.nextDouble(in: -90..<120))) }
                    for fence in live.values.prefix(40) {
                        let bounds = fence.shape.bounds
                        points += [Point(x: bounds.minX, y: bounds.minY), Point(x: bounds.maxX, y: (bounds.minY + bounds.maxY) / 2)]
                    }
                    Self.assertMatchesBruteForce(index, live, points, "seed \(seed) step \(step)")
                }
            }
            XCTAssertGreaterThan(rebuilds, 1, "the grid was rebuilt as changes piled up")
        }
    }
}
