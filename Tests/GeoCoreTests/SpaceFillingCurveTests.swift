import XCTest
import GeoCore
import TestSupport

final class SpaceFillingCurveTests: XCTestCase {
    func testHilbertIsABijectionWithAdjacentSteps() {
        for order in 1...6 {
            let side = UInt32(1) << UInt32(order)
            var seen = [Bool](repeating: false, count: Int(side) * Int(side))
            for x in 0..<side {
                for y in 0..<side {
                    let index = SpaceFillingCurve.hilbertIndex(x: x, y: y, order: order)
                    XCTAssertLessThan(index, UInt64(seen.count))
                    XCTAssertFalse(seen[Int(index)], "order \(order): index \(index) used twice")
                    seen[Int(index)] = true
                    let cell = SpaceFillingCurve.hilbertCell(of: index, order: order)
                    XCTAssertEqual(cell.x, x)
                    XCTAssertEqual(cell.y, y)
                }
            }
            XCTAssertTrue(seen.allSatisfy { $0 }, "order \(order): every index used")
            var previous = SpaceFillingCurve.hilbertCell(of: 0, order: order)
            XCTAssertTrue(previous == (0, 0))
            for index in 1..<UInt64(seen.count) {
                let cell = SpaceFillingCurve.hilbertCell(of: index, order: order)
                let step = abs(Int(cell.x) - Int(previous.x)) + abs(Int(cell.y) - Int(previous.y))
                XCTAssertEqual(step, 1, "order \(order): \(index - 1) -> \(index) is not a unit step")
                previous = cell
            }
        }
    }

    func testHilbertRoundTripsAtHighOrders() {
        var rng = SeededGenerator(seed: 71)
        for _ in 0..<5_000 {
            let order = 7 + Int(rng.next() % 25)
            let mask = UInt32((UInt64(1) << UInt64(order)) - 1)
            let x = UInt32(truncatingIfNeeded: rng.next()) & mask, y = UInt32(truncatingIfNeeded: rng.next()) & mask
            let index = SpaceFillingCurve.hilbertIndex(x: x, y: y, order: order)
            XCTAssertLessThan(index, UInt64(1) << UInt64(2 * order))
            let cell = SpaceFillingCurve.hilbertCell(of: index, order: order)
            XCTAssertEqual(cell.x, x)
            XCTAssertEqual(cell.y, y)
        }
        // The last index of order 31 is the bottom-right corner.
        let last = (UInt64(1) << 62) - 1
        XCTAssertTrue(SpaceFillingCurve.hilbertCell(of: last, order: 31) == (UInt32((1 << 31) - 1), 0))
    }

    func testZOrderInterleavesBits() {
        var rng = SeededGenerator(seed: 72)
        for _ in 0..<2_000 {
            let x = UInt32(truncatingIfNeeded: rng.next()), y = UInt32(truncatingIfNeeded: rng.next())
            var expected: UInt64 = 0
            for bit in 0..<32 {
                expected |= UInt64((x >> UInt32(bit)) & 1) << UInt64(2 * bit)
                expected |= UInt64((y >> UInt32(bit)) & 1) << UInt64(2 * bit + 1)
            }
            XCTAssertEqual(SpaceFillingCurve.zOrderIndex(x: x, y: y), expected)
        }
        XCTAssertEqual(SpaceFillingCurve.zOrderIndex(x: 1, y: 0), 1)
        XCTAssertEqual(SpaceFillingCurve.zOrderIndex(x: 0, y: 1), 2)
        XCTAssertEqual(SpaceFillingCurve.zOrderIndex(x: 3, y: 3), 15)
    }

    func testPointsMapToCellsWithClamping() {
        let world = Rect(minX: -180, minY: -90, maxX: 180, maxY: 90)
        let order = 4
        XCTAssertTrue(SpaceFillingCurve.cell(of: Point(x: -180, y: -90), in: world, order: order) == (0, 0))
        XCTAssertTrue(SpaceFillingCurve.cell(of: Point(x: 180, y: 90), in: world, order: order) == (15, 15))
        XCTAssertTrue(SpaceFillingCurve.cell(of: Point(x: 500, y: -500), in: world, order: order) == (15, 0))
        XCTAssertTrue(SpaceFillingCurve.cell(of: Point(x: 0, y: 0), in: world, order: order) == (8, 8))
        XCTAssertTrue(SpaceFillingCurve.cell(of: Point(x: .nan, y: .infinity), in: world, order: order) == (0, 0))
        XCTAssertEqual(SpaceFillingCurve.hilbertIndex(of: Point(x: .nan, y: .nan), in: world, order: order), 0)
        XCTAssertEqual(SpaceFillingCurve.hilbertIndex(of: Point(x: 200, y: -100), in: world, order: order),
                       SpaceFillingCurve.hilbertIndex(x: 15, y: 0, order: order))
        XCTAssertEqual(SpaceFillingCurve.zOrderIndex(of: Point(x: 179, y: 89), in: world, order: order),
                       SpaceFillingCurve.zOrderIndex(x: 15, y: 15))
        // Random points land in the cell whose range holds them.
        var rng = SeededGenerator(seed: 73)
        for _ in 0..<1_000 {
            let q = Point(x: rng.nextDouble(in: -180..<180), y: rng.nextDouble(in: -90..<90))
            let cell = SpaceFillingCurve.cell(of: q, in: world, order: 10)
            let w = 360.0 / 1024, h = 180.0 / 1024
            XCTAssertLessThanOrEqual(-180 + Double(cell.x) * w, q.x)
            XCTAssertLessThan(q.x, -180 + Double(cell.x + 1) * w + 1e-9)
            XCTAssertLessThanOrEqual(-90 + Double(cell.y) * h, q.y)
            XCTAssertLessThan(q.y, -90 + Double(cell.y + 1) * h + 1e-9)
        }
    }
}
