import GeoCore
import Operators
import Runtime
import TestSupport
import Wire
import XCTest

/// The nearby stage run through the real router with 1–4 workers equals the brute-force
/// reference exactly (alerts, their order, every number), on seeded random and adversarial streams.
final class NearbyPropertyTests: XCTestCase {
    static let city = Rect(minX: 13.30, minY: 52.48, maxX: 13.46, maxY: 52.56)

    /// Knobs of the generated stream; every probability is per event.
    struct StreamShape {
        var objects = 24
        var events = 900
        /// Side of the square (metres) around the bbox centre where objects start and mostly stay:
        /// small, so partition borders (balanced on the sample) run through it.
        var clusterMetres = 1_200.0
        var stepMetres = 60.0
        var jumpAnywhere = 0.04
        var jumpNextToOther = 0.06
        var jumpOutsideBBox = 0.01
        var sameTimeAgain = 0.05
        var maxTimeStep: UInt64 = 40
        /// Events are shifted back in time by up to this much (out of order; some become late).
        var jitter: UInt64 = 0
        var quietGap = 0.004
        var gapMs: Int64 = 5_000
        /// Objects are drawn with a skew (low indices often), so some are forgotten between events.
        var skewed = true
    }

    static func metresToDegrees(_ metres: Double, atLatitude lat: Double) -> (lon: Double, lat: Double) {
        let latDegrees = metres / 111_195
        return (latDegrees / cos(lat * .pi / 180), latDegrees)
    }

    static func stream(_ shape: StreamShape, bbox: Rect = city, seed: UInt64) -> [PointEvent] {
        var generator = SeededGenerator(seed: seed)
        let centre = Point(lon: (bbox.minX + bbox.maxX) / 2, lat: (bbox.minY + bbox.maxY) / 2)
        let half = metresToDegrees(shape.clusterMetres / 2, atLatitude: centre.lat)
        let step = metresToDegrees(shape.stepMetres, atLatitude: centre.lat)
        func unit() -> Double { generator.nextDouble(in: -1..<1) }
        var positions = (0..<shape.objects).map { _ in Point(lon: centre.lon + unit() * half.lon, lat: centre.lat + unit() * half.lat) }
        // Ids whose text order differs from their number order ("o10" < "o2").
        let ids = (0..<shape.objects).map { "o\($0)" }
        var clock: Int64 = 1_000_000
        var events: [PointEvent] = []
        var last: (index: Int, t: Int64)?
        while events.count < shape.events {
            let index: Int
            var t: Int64
            if let previous = last, generator.nextDouble(in: 0..<1) < shape.sameTimeAgain {
                index = previous.index
                t = previous.t
            } else {
                let draw = generator.nextDouble(in: 0..<1)
                index = shape.skewed ? Int(draw * draw * Double(shape.objects)) : Int(draw * Double(shape.objects))
                clock += Int64(generator.next() % (shape.maxTimeStep + 1))
                if generator.nextDouble(in: 0..<1) < shape.quietGap { clock += shape.gapMs }
                t = clock - (shape.jitter > 0 ? Int64(generator.next() % (shape.jitter + 1)) : 0)
            }
            let move = generator.nextDouble(in: 0..<1)
            var point = positions[index]
            if move < shape.jumpAnywhere {
                point = Point(lon: generator.nextDouble(in: bbox.minX..<bbox.maxX), lat: generator.nextDouble(in: bbox.minY..<bbox.maxY))
            } else if move < shape.jumpAnywhere + shape.jumpNextToOther {
                let other = positions[Int(generator.next() % UInt64(shape.objects))]
                point = Point(lon: other.lon + unit() * step.lon, lat: other.lat + unit() * step.lat)
            } else if move < shape.jumpAnywhere + shape.jumpNextToOther + shape.jumpOutsideBBox {
                point = Point(lon: bbox.maxX + 0.001 + generator.nextDouble(in: 0..<0.002), lat: centre.lat + unit() * half.lat)
            } else {
                point = Point(lon: point.lon + unit() * step.lon, lat: point.lat + unit() * step.lat)
            }
            positions[index] = point
            let props: JSONObject = ["type": .string(index % 3 == 0 ? "car" : "truck"), "speed": .double(Double(index) + 0.5),
                                     "seq": .integer(Int64(events.count))]
            events.append(PointEvent(id: ids[index], t: t, point: point, props: props))
            last = (index, t)
        }
        return events
    }

    struct Case {
        var name: String
        var shape: StreamShape
        var spec: NearbySpec
        var lateness: Int64 = 0
        var windowSize: Int64 = 2_000
    }

    func check(_ testCase: Case, seeds: ClosedRange<UInt64>, file: StaticString = #filePath, line: UInt = #line) {
        var totals = (alerts: 0, faraway: 0, forgotten: 0)
        for seed in seeds {
            let events = Self.stream(testCase.shape, seed: seed)
            var reference: [NearbyReference.Alert]?
            for workers in 1...4 {
                let harness = NearbyHarness(spec: testCase.spec, workers: workers, bbox: Self.city,
                                            window: WindowSpec(size: testCase.windowSize, slide: 1_000, lateness: testCase.lateness))
                let run = harness.run(events, seed: seed &* 31 &+ UInt64(workers))
                let expected = reference ?? NearbyReference.alerts(run.accepted, spec: testCase.spec,
                                                                   forgetAfter: testCase.spec.forgetAfter ?? testCase.windowSize)
                reference = expected
                if run.published != expected {
                    let firstDifference = zip(run.published, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(run.published.count, expected.count)
                    XCTFail("""
                        \(testCase.name) seed \(seed), \(workers) workers: \(run.published.count) alerts, reference \(expected.count); \
                        first difference at \(firstDifference):
                          got      \(run.published.dropFirst(firstDifference).first.map(String.init(describing:)) ?? "nothing")
                          expected \(expected.dropFirst(firstDifference).first.map(String.init(describing:)) ?? "nothing")
                        """, file: file, line: line)
                    return
                }
            }
            let alerts = reference ?? []
            totals.alerts += alerts.count
            totals.faraway += alerts.filter { $0.json.hasPrefix("{\"kind\":\"faraway\"") }.count
        }
        // The streams must exercise the operator, not pass by saying nothing.
        XCTAssertGreaterThan(totals.alerts, 20 * seeds.count, "\(testCase.name): too few alerts to test anything", file: file, line: line)
        XCTAssertGreaterThan(totals.faraway, 5 * seeds.count, "\(testCase.name): too few faraway alerts", file: file, line: line)
    }

    func testRandomStreamsMatchTheReferenceForOneToFourWorkers() {
        check(Case(name: "random", shape: StreamShape(), spec: NearbySpec(distance: 150)), seeds: 1...6)
    }

    func testCrossingBordersAndJumpingFar() {
        var shape = StreamShape()
        shape.jumpAnywhere = 0.15
        shape.jumpNextToOther = 0.2
        shape.jumpOutsideBBox = 0.05
        shape.stepMetres = 250
        check(Case(name: "jumps", shape: shape, spec: NearbySpec(distance: 200)), seeds: 11...15)
    }

    func testSameTimeEventsOfOneObjectAndOfMany() {
        var shape = StreamShape()
        shape.sameTimeAgain = 0.3
        shape.maxTimeStep = 2
        shape.jumpAnywhere = 0.1
        check(Case(name: "same-t", shape: shape, spec: NearbySpec(distance: 150)), seeds: 21...25)
    }

    func testOutOfOrderWithinTheLateness() {
        var shape = StreamShape()
        shape.jitter = 300
        shape.sameTimeAgain = 0.1
        shape.jumpAnywhere = 0.1
        check(Case(name: "out-of-order", shape: shape, spec: NearbySpec(distance: 150), lateness: 250), seeds: 31...36)
    }

    func testForgetAfterEndsPairs() {
        var shape = StreamShape()
        shape.quietGap = 0.02
        shape.gapMs = 700
        check(Case(name: "forget", shape: shape, spec: NearbySpec(distance: 150, forgetAfter: 600)), seeds: 41...45)
    }

    func testFilterLeavesOtherObjectsOut() {
        check(Case(name: "filter", shape: StreamShape(), spec: NearbySpec(distance: 200, filter: PropertyFilter([JSONMember("type", .string("truck"))]))),
              seeds: 51...55)
    }

    func testTheReferenceSeesFilteredObjectsAsAbsent() {
        // A guard on the reference itself: a car next to a truck yields nothing under type=truck.
        let events = [PointEvent(id: "car", t: 1, point: Point(lon: 13.4, lat: 52.5), props: ["type": .string("car")]),
                      PointEvent(id: "truck", t: 2, point: Point(lon: 13.4, lat: 52.5), props: ["type": .string("truck")])]
        let filtered = NearbySpec(distance: 10, filter: PropertyFilter([JSONMember("type", .string("truck"))]))
        XCTAssertEqual(NearbyReference.alerts(events, spec: filtered, forgetAfter: 100), [])
        XCTAssertEqual(NearbyReference.alerts(events, spec: NearbySpec(distance: 10), forgetAfter: 100).map(\.t), [2, 101])
    }
}
