import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

/// Random streams (out of order within the lateness, late events, gaps, negative times, halo copies,
/// random batches and watermarks) through 1–4 workers, against the brute-force reference.
final class HeatmapPropertyTests: XCTestCase {
    /// What a runtime does to the operator, recorded so several worker layouts replay the same run.
    enum Step {
        case points([PointEvent])
        case haloCopies([PointEvent])
        case polygons([PolygonEvent])
        case advance(watermark: Int64)
    }

    struct Scenario {
        var cells: HeatmapSpec.Cells
        var bbox: Rect
        var size: Int64
        var slide: Int64
        var minCount: Int
        var steps: [Step]
    }

    static let city = Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95)

    static func makeScenario(seed: UInt64, cells: HeatmapSpec.Cells, size: Int64, slide: Int64, minCount: Int = 1) -> Scenario {
        var random = SeededGenerator(seed: seed)
        let bbox = city
        let lateness = random.int64(in: 0...3_000)
        var progress = random.int64(in: -120_000...60_000)
        var maxSeen = Int64.min
        var steps: [Step] = []
        var eventNumber = 0
        for _ in 0..<random.int(in: 25...45) {
            var batch: [PointEvent] = []
            for _ in 0..<random.int(in: 0...30) {
                var t = progress - random.int64(in: 0...lateness)
                if maxSeen != .min && random.chance(0.03) {
                    // Late: behind the watermark, possibly behind windows already emitted.
                    t = maxSeen - lateness - random.int64(in: 1...(2 * size))
                }
                let point = Point(lon: random.nextDouble(in: bbox.minX..<bbox.maxX),
                                  lat: random.nextDouble(in: bbox.minY..<bbox.maxY))
                batch.append(PointEvent(id: "v\(eventNumber % 37)", t: t, point: point))
                eventNumber += 1
                progress += random.int64(in: 0...300)
                maxSeen = max(maxSeen, t)
            }
            if random.chance(0.05) { progress += random.int64(in: 30_000...150_000) }  // a gap in the stream
            steps.append(.points(batch))
            if random.chance(0.2) {
                let copies = (0..<random.int(in: 1...5)).map { _ in
                    PointEvent(id: "halo", t: progress, point: Point(lon: random.nextDouble(in: bbox.minX..<bbox.maxX),
                                                                     lat: random.nextDouble(in: bbox.minY..<bbox.maxY)))
                }
                steps.append(.haloCopies(copies))
            }
            if random.chance(0.1) {
                let square = Polygon(uncheckedExterior: [Point(lon: -74, lat: 40.6), Point(lon: -73.9, lat: 40.6),
                                                         Point(lon: -73.9, lat: 40.7), Point(lon: -74, lat: 40.6)])
                steps.append(.polygons([PolygonEvent(id: "area", t: progress, geometry: .polygon(square))]))
            }
            if maxSeen != .min && random.chance(0.5) {
                let watermark = maxSeen - lateness
                // Sometimes a stale watermark, repeated or behind, which must change nothing.
                steps.append(.advance(watermark: random.chance(0.1) ? watermark - random.int64(in: 0...5_000) : watermark))
            }
        }
        return Scenario(cells: cells, bbox: bbox, size: size, slide: slide, minCount: minCount, steps: steps)
    }

    /// Replays `scenario` over `workers` operators (each batch split at random between them), combining
    /// the partials of each advance in a shuffled order. Returns the published outputs per advance
    /// (the last entry is `finish`), the events with the watermark they met, and retained counts.
    static func run(_ scenario: Scenario, workers: Int, seed: UInt64)
        -> (published: [[OperatorOutput]], applied: [(event: PointEvent, closedWhenApplied: Int64)], retained: [Int])
    {
        var random = SeededGenerator(seed: seed)
        let spec = HeatmapSpec(cells: scenario.cells, minCount: scenario.minCount)
        var clock = WindowClock(size: scenario.size, slide: scenario.slide)
        var operators = (0..<workers).map { _ in HeatmapOperator(spec: spec, bbox: scenario.bbox, clock: clock) }
        let publisher = HeatmapOperator(spec: spec, bbox: scenario.bbox, clock: clock)
        var closed = Int64.min
        var applied: [(event: PointEvent, closedWhenApplied: Int64)] = []
        var published: [[OperatorOutput]] = []
        var retained: [Int] = []
        var partials: [OperatorOutput] = []

        func publish() {
            partials.shuffle(using: &random)
            published.append(publisher.combine(partials))
            partials.removeAll()
        }

        for step in scenario.steps {
            switch step {
            case let .points(batch):
                applied += batch.map { ($0, closed) }
                var shares = Array(repeating: [PointEvent](), count: workers)
                for event in batch { shares[random.int(in: 0...(workers - 1))].append(event) }
                for worker in 0..<workers {
                    // A worker's share may arrive as several batches, or as an empty one.
                    let cut = random.int(in: 0...shares[worker].count)
                    operators[worker].apply(points: Array(shares[worker][..<cut]), halo: false, clock: clock, into: &partials)
                    operators[worker].apply(points: Array(shares[worker][cut...]), halo: false, clock: clock, into: &partials)
                }
            case let .haloCopies(copies):
                operators[random.int(in: 0...(workers - 1))].apply(points: copies, halo: true, clock: clock, into: &partials)
            case let .polygons(polygons):
                operators[random.int(in: 0...(workers - 1))].apply(polygons: polygons, halo: false, clock: clock, into: &partials)
            case let .advance(watermark):
                clock.watermark = watermark
                for worker in 0..<workers { operators[worker].advance(clock: clock, into: &partials) }
                closed = max(closed, watermark)
                publish()
                retained.append(operators.reduce(0) { $0 + $1.retainedEvents })
            }
        }
        XCTAssertTrue(partials.isEmpty, "apply produced outputs")
        for worker in 0..<workers { operators[worker].finish(clock: clock, into: &partials) }
        publish()
        retained.append(operators.reduce(0) { $0 + $1.retainedEvents })
        return (published, applied, retained)
    }

    /// Checks every advance's outputs, and the final flush, against the reference.
    func check(_ scenario: Scenario, workers: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let (published, applied, retained) = Self.run(scenario, workers: workers, seed: seed)
        let reference = HeatmapReference(cells: scenario.cells, bbox: scenario.bbox, size: scenario.size,
                                         slide: scenario.slide, minCount: scenario.minCount)
        var closed = Int64.min
        var advanceIndex = 0
        var appliedSoFar = 0
        var eventsSeen = 0
        for step in scenario.steps {
            switch step {
            case let .points(batch):
                eventsSeen += batch.count
            case let .advance(watermark):
                appliedSoFar = eventsSeen
                let events = Array(applied[..<appliedSoFar])
                let expected = watermark > closed ? reference.counts(of: events, after: closed, through: watermark) : []
                let actual = try publishedCounts(published[advanceIndex], size: scenario.size, file: file, line: line)
                XCTAssertEqual(actual, expected, "advance #\(advanceIndex) to \(watermark) (seed \(seed), \(workers) workers)", file: file, line: line)
                closed = max(closed, watermark)
                let openFrom = reference.firstMultiple(ofSlideAbove: closed) - scenario.size
                let stillHeld = events.filter { entry in
                    let countedWhenApplied = entry.closedWhenApplied == .min
                        || entry.event.t >= reference.firstMultiple(ofSlideAbove: entry.closedWhenApplied) - scenario.size
                    return countedWhenApplied && entry.event.t >= openFrom
                }
                XCTAssertEqual(retained[advanceIndex], stillHeld.count, "retained after advance #\(advanceIndex) (seed \(seed))", file: file, line: line)
                advanceIndex += 1
            case .haloCopies, .polygons:
                break
            }
        }
        let expected = reference.counts(of: applied, after: closed, through: .max)
        let actual = try publishedCounts(published[advanceIndex], size: scenario.size, file: file, line: line)
        XCTAssertEqual(actual, expected, "finish (seed \(seed), \(workers) workers)", file: file, line: line)
        XCTAssertEqual(retained[advanceIndex], 0, "finish leaves nothing retained", file: file, line: line)
        var everyCell = reference
        everyCell.minCount = 1
        let windowsHoldingEvents = Set(everyCell.counts(of: applied, after: .min, through: .max).map(\.end)).count
        XCTAssertGreaterThan(windowsHoldingEvents, 8, "a scenario with almost no windows tests nothing (seed \(seed))", file: file, line: line)
        XCTAssertGreaterThan(published.joined().count, 0, "seed \(seed)", file: file, line: line)
    }

    func testMetreCellsMatchReferenceWhenSizeIsAMultipleOfSlide() throws {
        for seed in UInt64(1)...8 {
            let scenario = Self.makeScenario(seed: seed, cells: .metres(4_000), size: 10_000, slide: 5_000)
            try check(scenario, workers: 1, seed: seed)
        }
    }

    func testMetreCellsMatchReferenceWhenSizeIsNotAMultipleOfSlide() throws {
        for seed in UInt64(11)...18 {
            let scenario = Self.makeScenario(seed: seed, cells: .metres(2_500), size: 10_000, slide: 4_000)
            try check(scenario, workers: 1, seed: seed)
        }
    }

    func testTumblingAndGappedWindowsMatchReference() throws {
        // size == slide (one pane per window) and slide > size (times between windows count nowhere).
        for seed in UInt64(21)...26 {
            try check(Self.makeScenario(seed: seed, cells: .metres(5_000), size: 3_000, slide: 3_000), workers: 1, seed: seed)
            try check(Self.makeScenario(seed: seed, cells: .metres(5_000), size: 2_000, slide: 3_000), workers: 1, seed: seed)
        }
    }

    func testTilesMatchReference() throws {
        for seed in UInt64(31)...36 {
            let scenario = Self.makeScenario(seed: seed, cells: .level(11), size: 7_000, slide: 3_000)
            try check(scenario, workers: 1, seed: seed)
        }
    }

    func testPartialsOfOneToFourWorkersCombineToTheSingleWorkerResult() throws {
        for seed in UInt64(41)...52 {
            var random = SeededGenerator(seed: seed)
            let cells: HeatmapSpec.Cells = seed.isMultiple(of: 2) ? .metres(3_000) : .level(10)
            let minCount = random.int(in: 1...3)
            let scenario = Self.makeScenario(seed: seed, cells: cells, size: 10_000, slide: 4_000, minCount: minCount)
            let single = Self.run(scenario, workers: 1, seed: seed).published
            let workers = random.int(in: 1...4)
            let several = Self.run(scenario, workers: workers, seed: seed &+ 99)
            XCTAssertEqual(several.published, single, "seed \(seed), \(workers) workers")
            try check(scenario, workers: workers, seed: seed &+ 99)
        }
    }

    func testMinCountIsAppliedToTheSumOverWorkers() throws {
        for seed in UInt64(61)...64 {
            let scenario = Self.makeScenario(seed: seed, cells: .metres(8_000), size: 10_000, slide: 5_000, minCount: 3)
            try check(scenario, workers: 3, seed: seed)
        }
    }
}
