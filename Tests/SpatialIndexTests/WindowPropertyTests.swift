import GeoCore
import SpatialIndex
import TestSupport
import XCTest

/// The window index against `WindowReference` on seeded streams with out-of-order times.
final class WindowPropertyTests: XCTestCase {
    /// size 60 s / slide 5 s: aligned, 12 panes per window.
    func testAlignedWindowMatchesReference() throws {
        try runStream(size: 60_000, slide: 5_000, seed: 1)
    }

    /// size 10 s / slide 3 s: not aligned, panes of gcd = 1 s.
    func testNonAlignedWindowMatchesReference() throws {
        try runStream(size: 10_000, slide: 3_000, seed: 2)
    }

    /// gcd(10,007, 1,000) = 1 ms would make 10,007 panes: panes are widened, the oldest one is trimmed and
    /// the newest one filtered by time.
    func testWidenedPanesMatchReference() throws {
        let configuration = try WindowConfiguration(size: 10_007, slide: 1_000)
        XCTAssertGreaterThan(configuration.paneWidth, 1)
        XCTAssertNotEqual(10_007 % configuration.paneWidth, 0, "the test must exercise trimming")
        try runStream(size: 10_007, slide: 1_000, seed: 3)
    }

    /// Small nodes (deep trees) and unsealed panes.
    func testSmallNodesWithoutSealingMatchReference() throws {
        try runStream(size: 10_000, slide: 3_000, seed: 4,
                      rtree: RTreeConfiguration(maxEntries: 4), sealsPanes: false)
        try runStream(size: 60_000, slide: 5_000, seed: 5,
                      rtree: RTreeConfiguration(maxEntries: 4, split: .linear), sealsPanes: false)
    }

    /// Times around epoch 0 and before it, where rounding down (not towards zero) matters.
    func testNegativeTimesMatchReference() throws {
        try runStream(size: 10_000, slide: 3_000, seed: 6, startTime: -45_000)
    }

    func runStream(size: Int64, slide: Int64, seed: UInt64, rtree: RTreeConfiguration = .init(),
                   sealsPanes: Bool = true, startTime: Int64 = 1_700_000_000_000,
                   file: StaticString = #filePath, line: UInt = #line) throws {
        var configuration = try WindowConfiguration(size: size, slide: slide, rtree: rtree, sealsPanes: sealsPanes)
        configuration.runCapacity = 7                // several runs and a buffer in every open pane
        var index = SlidingWindowIndex<Int>(configuration: configuration)
        var reference = WindowReference(size: size, slide: slide)
        var generator = WindowStreamGenerator(seed: seed)
        let lateness: Int64 = 4_000
        let step = size / 200                      // the window holds about 200 entries
        var clock = startTime
        var maxTime = Int64.min
        var advances = 0
        var expiredTotal = 0

        // Queries before any advance see every entry.
        for id in 0..<50 {
            let geometry = generator.geometry()
            let time = clock + generator.int(in: -lateness...0)
            clock += generator.int(in: 0...(2 * step))
            XCTAssertEqual(index.insert(id, geometry: geometry, time: time),
                           reference.insert(id, geometry: geometry, time: time), file: file, line: line)
            maxTime = max(maxTime, time)
        }
        try compareQueries(index, reference, &generator, file: file, line: line)

        for id in 50..<1_500 {
            let geometry = generator.geometry()
            // Out of order within the lateness bound, now and then far behind (refused once expired).
            let time = generator.random.next() % 40 == 0
                ? clock - size - generator.int(in: 0...size)
                : clock - generator.int(in: 0...lateness)
            clock += generator.int(in: 0...(2 * step))
            let accepted = index.insert(id, geometry: geometry, time: time)
            XCTAssertEqual(accepted, reference.insert(id, geometry: geometry, time: time),
                           "insert t=\(time) lowerBound=\(index.lowerBound)", file: file, line: line)
            XCTAssertEqual(accepted, time >= index.lowerBound, file: file, line: line)
            maxTime = max(maxTime, time)

            if id % 25 == 0 {
                let watermark = maxTime - lateness
                var visited: [Int] = []
                let removed = index.advance(to: watermark) { visited.append($0.payload) }
                let expected = reference.advance(to: watermark)
                XCTAssertEqual(removed, expected.count, file: file, line: line)
                XCTAssertEqual(visited.sorted(), expected.map(\.payload).sorted(),
                               "expired visitor at watermark \(watermark)", file: file, line: line)
                XCTAssertEqual(index.windowEnd, reference.windowEnd, file: file, line: line)
                XCTAssertEqual(index.lowerBound, reference.lowerBound, file: file, line: line)
                expiredTotal += removed
                advances += 1
                try index.validate()
                try compareQueries(index, reference, &generator, file: file, line: line)
            }
        }
        XCTAssertGreaterThan(expiredTotal, 500, "the stream must expire many entries", file: file, line: line)
        XCTAssertGreaterThan(advances, 50, file: file, line: line)
    }

    func compareQueries(_ index: SlidingWindowIndex<Int>, _ reference: WindowReference,
                        _ generator: inout WindowStreamGenerator,
                        file: StaticString, line: UInt) throws {
        let visible = reference.visible
        XCTAssertEqual(index.count, reference.entries.count, file: file, line: line)
        XCTAssertEqual(index.windowCount, visible.count, file: file, line: line)
        XCTAssertEqual(Set(index.allEntries().map(\.payload)), Set(reference.entries.map(\.payload)),
                       file: file, line: line)
        XCTAssertEqual(index.allEntries().count, reference.entries.count, file: file, line: line)

        for _ in 0..<3 {
            let rect = generator.rect(maxExtent: 0.2)
            XCTAssertEqual(ids(index.search(intersecting: rect)),
                           ids(visible.filter { $0.geometry.intersects(rect) }),
                           "intersecting \(rect)", file: file, line: line)

            let region: Geometry = .polygon(generator.smallPolygon(extent: 0.25))
            XCTAssertEqual(ids(index.search(within: region)),
                           ids(visible.filter { $0.geometry.isWithin(region) }),
                           "within \(region.bounds)", file: file, line: line)
            XCTAssertEqual(ids(index.search(intersecting: region)),
                           ids(visible.filter { $0.geometry.intersects(region) }),
                           "intersecting region \(region.bounds)", file: file, line: line)

            let center = generator.point()
            let radius = generator.random.nextDouble(in: 100..<8_000)
            XCTAssertEqual(ids(index.search(radius: radius, around: center)),
                           ids(visible.filter { windowTestMetres(from: center, to: $0.geometry) <= radius }),
                           "radius \(radius) around \(center)", file: file, line: line)

            let k = Int(generator.int(in: 1...12))
            let found = index.nearest(to: center, k: k)
            let expected = visible.map { windowTestMetres(from: center, to: $0.geometry) }.sorted().prefix(k)
            XCTAssertEqual(found.map(\.distance), Array(expected), "nearest k=\(k)", file: file, line: line)
            let byID = Dictionary(uniqueKeysWithValues: visible.map { ($0.payload, $0) })
            for neighbor in found {
                guard let entry = byID[neighbor.entry.payload] else {
                    XCTFail("nearest returned \(neighbor.entry.payload), not in the window", file: file, line: line)
                    continue
                }
                XCTAssertEqual(neighbor.entry, entry, file: file, line: line)
                XCTAssertEqual(neighbor.distance, windowTestMetres(from: center, to: entry.geometry),
                               file: file, line: line)
            }
        }
    }

    func ids(_ entries: [WindowEntry<Int>]) -> [Int] { entries.map(\.payload).sorted() }
}
