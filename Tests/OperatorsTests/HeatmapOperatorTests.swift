import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

final class HeatmapOperatorTests: XCTestCase {
    let bbox = Rect(minX: -1, minY: -1, maxX: 1, maxY: 1)
    let clock = WindowClock(size: 10_000, slide: 5_000)

    func event(_ t: Int64, lon: Double = 0.5, lat: Double = 0.5) -> PointEvent {
        PointEvent(id: "e\(t)", t: t, point: Point(lon: lon, lat: lat))
    }

    func makeOperator(_ cells: HeatmapSpec.Cells = .level(1), minCount: Int = 1, clock: WindowClock? = nil) -> HeatmapOperator {
        HeatmapOperator(spec: HeatmapSpec(cells: cells, minCount: minCount), bbox: bbox, clock: clock ?? self.clock)
    }

    func advance(_ heatmap: inout HeatmapOperator, to watermark: Int64) -> [OperatorOutput] {
        var results: [OperatorOutput] = []
        var clock = heatmap.clockAt(watermark)
        clock.watermark = watermark
        heatmap.advance(clock: clock, into: &results)
        return results
    }

    func apply(_ heatmap: inout HeatmapOperator, _ events: [PointEvent], halo: Bool = false) {
        var results: [OperatorOutput] = []
        heatmap.apply(points: events, halo: halo, clock: clock, into: &results)
        XCTAssertEqual(results, [], "apply never emits")
    }

    func testPublishedObjectHasTheDocumentedKeysAndValues() {
        var heatmap = makeOperator(.level(1))
        apply(&heatmap, [event(1_000), event(2_000), event(3_000, lon: -0.5, lat: -0.5)])
        let partials = advance(&heatmap, to: 5_000)
        XCTAssertEqual(partials, [
            OperatorOutput(topic: "heatmap", t: 5_000, json: #"{"cell":"1/0/1","count":1}"#),
            OperatorOutput(topic: "heatmap", t: 5_000, json: #"{"cell":"1/1/0","count":2}"#),
        ])
        let published = heatmap.combine(partials)
        XCTAssertEqual(published.map(\.json), [
            #"{"window":{"start":-5000,"end":5000},"cell":"1/0/1","count":1,"center":[-90.0,-42.525564389903295],"#
                + #""geometry":{"type":"Polygon","coordinates":[[[-180.0,-85.05112877980659],[0.0,-85.05112877980659],"#
                + #"[0.0,0.0],[-180.0,0.0],[-180.0,-85.05112877980659]]]}}"#,
            #"{"window":{"start":-5000,"end":5000},"cell":"1/1/0","count":2,"center":[90.0,42.525564389903295],"#
                + #""geometry":{"type":"Polygon","coordinates":[[[0.0,0.0],[180.0,0.0],[180.0,85.05112877980659],"#
                + #"[0.0,85.05112877980659],[0.0,0.0]]]}}"#,
        ])
        XCTAssertEqual(published.map(\.t), [5_000, 5_000])
    }

    func testEachWindowIsEmittedOnceWhenTheWatermarkReachesItsEnd() {
        var heatmap = makeOperator()
        apply(&heatmap, [event(1_000), event(6_000)])
        XCTAssertEqual(advance(&heatmap, to: 4_999), [])
        XCTAssertEqual(advance(&heatmap, to: 5_000).map(\.t), [5_000])
        XCTAssertEqual(advance(&heatmap, to: 5_000), [], "the same watermark again")
        XCTAssertEqual(advance(&heatmap, to: 3_000), [], "a watermark going back")
        let later = heatmap.combine(advance(&heatmap, to: 20_000))
        // Windows ending 10 s (events 1 s and 6 s) and 15 s (6 s only); the one ending 20 s is empty.
        XCTAssertEqual(later.map(\.t), [10_000, 15_000])
        XCTAssertEqual(later.map { $0.json.contains(#""count":2"#) }, [true, false])
        var flushed: [OperatorOutput] = []
        heatmap.finish(clock: clock, into: &flushed)
        XCTAssertEqual(flushed, [])
        XCTAssertEqual(heatmap.retainedEvents, 0)
    }

    func testGapSkipsEmptyWindowsButClosesTheOnesBeforeIt() {
        var heatmap = makeOperator()
        apply(&heatmap, [event(-7_000)])
        apply(&heatmap, [event(3_600_000)])  // an hour later
        let results = advance(&heatmap, to: 3_600_000)
        XCTAssertEqual(results.map(\.t), [-5_000, 0], "only the windows holding the first event")
        XCTAssertEqual(heatmap.retainedEvents, 1, "the first event's panes are dropped")
        var flushed: [OperatorOutput] = []
        heatmap.finish(clock: clock, into: &flushed)
        XCTAssertEqual(flushed.map(\.t), [3_605_000, 3_610_000])
    }

    func testNegativeTimesUseFloorAlignedPanes() {
        var heatmap = makeOperator(clock: WindowClock(size: 10_000, slide: 4_000))
        apply(&heatmap, [event(-1), event(-2_000), event(-2_001)])
        // gcd 2 s: panes [-2 s, 0) and [-4 s, -2 s). Windows ending 0 and 4 s hold all three,
        // the one ending 8 s holds [-2 s, 8 s): two of them.
        let counts = heatmap.combine(advance(&heatmap, to: 100_000)).map { ($0.t, $0.json.contains(#""count":3"#)) }
        XCTAssertEqual(counts.map(\.0), [0, 4_000, 8_000])
        XCTAssertEqual(counts.map(\.1), [true, true, false])
    }

    func testHaloCopiesAndPolygonsAreNotCounted() {
        var heatmap = makeOperator()
        apply(&heatmap, [event(1_000)], halo: true)
        let square = Polygon(uncheckedExterior: [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 0)])
        var results: [OperatorOutput] = []
        heatmap.apply(polygons: [PolygonEvent(id: "p", t: 1_000, geometry: .polygon(square))], halo: false, clock: clock, into: &results)
        XCTAssertEqual(heatmap.retainedEvents, 0)
        XCTAssertEqual(advance(&heatmap, to: 50_000), [])
        heatmap.finish(clock: clock, into: &results)
        XCTAssertEqual(results, [])
    }

    func testLateEventsCountOnlyInWindowsNotYetEmitted() throws {
        var heatmap = makeOperator()
        apply(&heatmap, [event(1_000)])
        XCTAssertEqual(advance(&heatmap, to: 5_000).map(\.t), [5_000])
        apply(&heatmap, [event(4_000), event(-9_000)])
        XCTAssertEqual(heatmap.ignoredLateEvents, 1, "-9 s is held only by windows ending -5 s and 0 s, both closed")
        XCTAssertEqual(heatmap.retainedEvents, 2)
        let published = try publishedCounts(heatmap.combine(advance(&heatmap, to: 30_000)), size: 10_000)
        XCTAssertEqual(published, [HeatmapCount(end: 10_000, cell: "1/1/0", count: 2)])
    }

    func testMinCountDropsCellsBelowItAfterSummingWorkers() throws {
        let spec: HeatmapSpec.Cells = .metres(1_000)
        var first = makeOperator(spec, minCount: 2), second = makeOperator(spec, minCount: 2)
        apply(&first, [event(1_000, lon: 0.5, lat: 0.5), event(1_500, lon: -0.5, lat: -0.5)])
        apply(&second, [event(2_000, lon: 0.5, lat: 0.5)])
        let partials = advance(&first, to: 5_000) + advance(&second, to: 5_000)
        XCTAssertEqual(partials.count, 3, "workers never filter: a cell may be split over them")
        let published = try publishedCounts(first.combine(partials), size: 10_000)
        XCTAssertEqual(published.map(\.count), [2])
        XCTAssertEqual(published.first?.cell, first.grid.id(of: first.grid.cell(containing: Point(lon: 0.5, lat: 0.5))))
    }

    func testCombineIsOrderIndependentIdempotentAndKeepsForeignOutputs() {
        var random = SeededGenerator(seed: 7)
        var heatmap = makeOperator(.metres(20_000))
        let events = (0..<300).map { index in
            event(Int64(index) * 97, lon: random.nextDouble(in: -1..<1), lat: random.nextDouble(in: -1..<1))
        }
        apply(&heatmap, events)
        let partials = advance(&heatmap, to: 40_000)
        let foreign = [OperatorOutput(topic: "heatmap", t: 5_000, json: #"{"cell":"m50:1:1","count":1}"#),
                       OperatorOutput(topic: "stats", t: 0, json: "{}")]
        let combined = heatmap.combine(partials + foreign)
        XCTAssertEqual(Array(combined.suffix(2)), [foreign[1], foreign[0]], "passed through after the rest, by t")
        for _ in 0..<5 {
            XCTAssertEqual(heatmap.combine((partials + foreign).shuffled(using: &random)), combined)
        }
        let published = Array(combined.dropLast(2))
        XCTAssertEqual(heatmap.combine(published), published, "combining published objects changes nothing")
        XCTAssertEqual(published.map(\.t), published.map(\.t).sorted())
    }

    func testRetainedEventsFollowPaneExpiry() {
        var heatmap = makeOperator(clock: WindowClock(size: 10_000, slide: 4_000))
        apply(&heatmap, (0..<10).map { event(Int64($0) * 1_000) })  // 0 s ... 9 s
        XCTAssertEqual(heatmap.retainedEvents, 10)
        _ = advance(&heatmap, to: 8_000)
        // The next window ends 12 s and starts 2 s: events 0 s and 1 s are no longer needed.
        XCTAssertEqual(heatmap.retainedEvents, 8)
        _ = advance(&heatmap, to: 16_000)  // next window [10 s, 20 s): nothing left
        XCTAssertEqual(heatmap.retainedEvents, 0)
    }
}

extension HeatmapOperator {
    func clockAt(_ watermark: Int64) -> WindowClock {
        WindowClock(size: size, slide: slide, watermark: watermark)
    }
}
