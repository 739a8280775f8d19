import GeoCore
@testable import SpatialIndex
import TestSupport
import XCTest

/// Hand-checked cases of the window index: configuration, boundaries, refusal, snapshots, validation.
final class WindowBehaviourTests: XCTestCase {
    func point(_ x: Double, _ y: Double) -> Geometry { .point(Point(x: x, y: y)) }

    func testConfigurationRefusesNonPositiveDurations() {
        XCTAssertThrowsError(try WindowConfiguration(size: 0, slide: 1_000)) { error in
            XCTAssertEqual((error as? WindowConfigurationError)?.code, .nonPositiveSize)
        }
        XCTAssertThrowsError(try WindowConfiguration(size: 1_000, slide: -5)) { error in
            XCTAssertEqual((error as? WindowConfigurationError)?.code, .nonPositiveSlide)
            XCTAssertTrue("\(error)".contains("-5"))
        }
    }

    func testPaneWidthIsGreatestCommonDivisor() throws {
        XCTAssertEqual(try WindowConfiguration(size: 60_000, slide: 5_000).paneWidth, 5_000)
        XCTAssertEqual(try WindowConfiguration(size: 10_000, slide: 3_000).paneWidth, 1_000)
        XCTAssertEqual(try WindowConfiguration(size: 5_000, slide: 10_000).paneWidth, 5_000)
        XCTAssertEqual(try WindowConfiguration(size: 10_007, slide: 1_000).paneWidth, 10_007 / 64)
    }

    /// The window ending at T holds T − size ≤ t < T; window ends are multiples of slide.
    func testWindowBoundariesFollowFlinkConvention() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 10_000, slide: 3_000))
        for t in stride(from: Int64(0), through: 20_000, by: 1_000) {
            XCTAssertTrue(index.insert(Int(t), geometry: point(0, 0), time: t))
        }
        XCTAssertNil(index.windowEnd)
        XCTAssertEqual(index.lowerBound, .min)
        XCTAssertEqual(index.search(intersecting: Rect(point: Point(x: 0, y: 0))).count, 21)

        XCTAssertEqual(index.advance(to: 14_999), 2)                 // T = 12,000: keeps 2,000 ..< 12,000
        XCTAssertEqual(index.windowEnd, 12_000)
        XCTAssertEqual(index.lowerBound, 2_000)
        XCTAssertEqual(index.search(intersecting: Rect(point: Point(x: 0, y: 0))).map(\.payload).sorted(),
                       Array(stride(from: 2_000, through: 11_000, by: 1_000)))
        XCTAssertEqual(index.count, 19)
        XCTAssertEqual(index.windowCount, 10)

        XCTAssertEqual(index.advance(to: 12_000), 0)                 // same window end: nothing moves
        XCTAssertEqual(index.advance(to: 5_000), 0)                  // never backwards
        XCTAssertEqual(index.windowEnd, 12_000)

        var gone: [Int] = []
        XCTAssertEqual(index.advance(to: 15_000) { gone.append($0.payload) }, 3)
        XCTAssertEqual(gone.sorted(), [2_000, 3_000, 4_000])
        try index.validate()
    }

    func testInsertOlderThanLowerBoundIsRefused() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 60_000, slide: 5_000))
        index.advance(to: 100_000)
        XCTAssertEqual(index.lowerBound, 40_000)
        XCTAssertFalse(index.insert(1, geometry: point(1, 1), time: 39_999))
        XCTAssertTrue(index.insert(2, geometry: point(1, 1), time: 40_000))
        XCTAssertTrue(index.insert(3, geometry: point(1, 1), time: 250_000))   // far ahead: held, not visible
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.search(intersecting: Rect(point: Point(x: 1, y: 1))).map(\.payload), [2])
        XCTAssertEqual(index.allEntries().map(\.payload).sorted(), [2, 3])
        try index.validate()
    }

    func testNegativeWatermarkRoundsDown() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 10_000, slide: 3_000))
        index.advance(to: -1)
        XCTAssertEqual(index.windowEnd, -3_000)
        XCTAssertEqual(index.lowerBound, -13_000)
        XCTAssertTrue(index.insert(1, geometry: point(0, 0), time: -13_000))
        XCTAssertFalse(index.insert(2, geometry: point(0, 0), time: -13_001))
        try index.validate()
    }

    func testExtremeTimesDoNotTrap() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 60_000, slide: 7_000))
        XCTAssertTrue(index.insert(1, geometry: point(0, 0), time: .min))
        XCTAssertTrue(index.insert(2, geometry: point(0, 0), time: .max))
        index.advance(to: .min)
        index.advance(to: .max)
        try index.validate()
        XCTAssertEqual(index.allEntries().map(\.payload), [2])
    }

    /// A copy is a snapshot: later inserts and expiry in the original do not reach it.
    func testCopyIsUnaffectedByLaterMutation() throws {
        var generator = WindowStreamGenerator(seed: 11)
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 10_000, slide: 2_000))
        for id in 0..<400 { index.insert(id, geometry: generator.geometry(), time: Int64(id) * 50) }
        index.advance(to: 15_000)
        let snapshot = index
        let snapshotEntries = Set(snapshot.allEntries().map(\.payload))
        let probe = WindowStreamGenerator.box
        let snapshotHits = Set(snapshot.search(intersecting: probe).map(\.payload))
        XCTAssertFalse(snapshotHits.isEmpty)

        for id in 400..<800 { index.insert(id, geometry: generator.geometry(), time: Int64(id) * 50) }
        index.advance(to: 30_000)
        XCTAssertNotEqual(Set(index.allEntries().map(\.payload)), snapshotEntries)

        XCTAssertEqual(Set(snapshot.allEntries().map(\.payload)), snapshotEntries)
        XCTAssertEqual(Set(snapshot.search(intersecting: probe).map(\.payload)), snapshotHits)
        XCTAssertEqual(snapshot.windowEnd, 14_000)
        try snapshot.validate()
        try index.validate()
    }

    func testNearestHandlesEdgeCases() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 10_000, slide: 1_000))
        XCTAssertTrue(index.nearest(to: Point(x: 0, y: 0), k: 3).isEmpty)
        index.insert(1, geometry: point(0, 0), time: 0)
        index.insert(2, geometry: point(0, 1), time: 5_000)
        index.insert(3, geometry: point(0, 0.5), time: 9_000)
        XCTAssertTrue(index.nearest(to: Point(x: 0, y: 0), k: 0).isEmpty)
        let all = index.nearest(to: Point(x: 0, y: 0), k: 10)
        XCTAssertEqual(all.map(\.entry.payload), [1, 3, 2])
        XCTAssertEqual(all[0].distance, 0)
        XCTAssertEqual(all[2].distance, Geodesy.distance(Point(x: 0, y: 0), Point(x: 0, y: 1)))
        index.advance(to: 6_000)                       // window [-4,000, 6,000): entry 3 waits
        XCTAssertEqual(index.nearest(to: Point(x: 0, y: 0.5), k: 2).map(\.entry.payload).sorted(), [1, 2])
    }

    func testPolygonEntriesKeepTheirGeometry() throws {
        var index = SlidingWindowIndex<String>(configuration: try WindowConfiguration(size: 10_000, slide: 5_000))
        let square = Polygon(uncheckedExterior: [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1),
                                                 Point(x: 0, y: 1), Point(x: 0, y: 0)])
        index.insert("square", geometry: .polygon(square), time: 1_000)
        index.insert("inside", geometry: point(0.5, 0.5), time: 1_000)
        let hits = index.search(intersecting: Rect(minX: 0.9, minY: 0.9, maxX: 2, maxY: 2))
        XCTAssertEqual(hits.map(\.payload), ["square"])
        XCTAssertEqual(hits.first?.geometry, .polygon(square))
        XCTAssertEqual(index.search(radius: 10, around: Point(x: 0.5, y: 0.5)).map(\.payload).sorted(),
                       ["inside", "square"])
        XCTAssertEqual(index.search(within: .polygon(square)).map(\.payload).sorted(), ["inside", "square"])
    }

    func testValidateReportsCorruption() throws {
        var index = SlidingWindowIndex<Int>(configuration: try WindowConfiguration(size: 10_000, slide: 1_000))
        index.insert(1, geometry: point(0, 0), time: 500)
        try index.validate()
        index.heldCount += 1
        XCTAssertThrowsError(try index.validate()) { XCTAssertTrue("\($0)".contains("count")) }
        index.heldCount -= 1
        index.panes[0].insert(WindowRecord(time: 7_500, payload: 2, shape: -1), bounds: Rect(point: Point(x: 0, y: 0)),
                              buffered: true, runCapacity: 4)
        index.heldCount += 1
        XCTAssertThrowsError(try index.validate()) { XCTAssertTrue("\($0)".contains("belongs to pane 7")) }
    }
}
