import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

/// One nearby worker and the publisher's combine on hand-made scenes: which observations a worker
/// sends (and which it provably may skip), what combine publishes, and the observation format.
final class NearbyOperatorTests: XCTestCase {
    static let origin = Point(lon: 13.4, lat: 52.5)
    static let clock = WindowClock(size: 1_000, slide: 100)

    /// A point `east` metres east and `north` metres north of `origin` (small offsets).
    static func at(east: Double, north: Double = 0) -> Point {
        Point(lon: origin.lon + east / (111_195 * cos(origin.lat * .pi / 180)), lat: origin.lat + north / 111_195)
    }

    static func event(_ id: String, _ t: Int64, east: Double, north: Double = 0, props: JSONObject = JSONObject()) -> PointEvent {
        PointEvent(id: id, t: t, point: at(east: east, north: north), props: props)
    }

    /// Feeds the events (owned unless listed in `halo`), then the watermark; returns the observations.
    static func observe(_ nearby: inout NearbyOperator, _ events: [PointEvent], halo: [PointEvent] = [], watermark: Int64) -> [NearbyObservation] {
        var results: [OperatorOutput] = []
        nearby.apply(points: events, halo: false, clock: clock, into: &results)
        nearby.apply(points: halo, halo: true, clock: clock, into: &results)
        XCTAssertEqual(results, [], "nothing before the watermark")
        var clock = clock
        clock.watermark = watermark
        if watermark == .max { nearby.finish(clock: clock, into: &results) } else { nearby.advance(clock: clock, into: &results) }
        return results.map { try! NearbyObservation($0) }
    }

    func testALoneObjectIsObservedOnceThenMovesSilently() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let moves = (0..<10).map { Self.event("a", Int64($0), east: Double($0) * 500) }
        let observed = Self.observe(&nearby, moves, watermark: 10)
        XCTAssertEqual(observed.map(\.t), [0], "first sighting only: later moves change no pair")
        XCTAssertEqual(observed.first?.kind, .moved(partners: []))
        XCTAssertEqual(nearby.retainedEvents, 1)
    }

    func testApproachThenLeaveIsObservedByWhoeverMoved() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let observed = Self.observe(&nearby, [
            Self.event("a", 0, east: 0),
            Self.event("b", 1, east: 1_000),
            Self.event("b", 2, east: 50),  // b comes near a: b lists a
            Self.event("b", 3, east: 60),  // still near: observed (a pair exists)
            Self.event("a", 4, east: -500),  // a leaves: a had b near its previous position
            Self.event("a", 5, east: -900),  // alone, and alone before: silent
        ], watermark: 100)
        XCTAssertEqual(observed.map { "\($0.t) \($0.object)" }, ["0 a", "1 b", "2 b", "3 b", "4 a"])
        XCTAssertEqual(observed[2].kind, .moved(partners: [NearbyObservation.Partner(id: "a", point: Self.at(east: 0))]))
        XCTAssertEqual(observed[4].kind, .moved(partners: []))

        var publisher = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let alerts = publisher.combine(observed.map(\.output).reversed())
        let props = "{}"
        let approach = Geodesy.distance(Self.at(east: 50), Self.at(east: 0))
        let separation = Geodesy.distance(Self.at(east: -500), Self.at(east: 60))
        XCTAssertEqual(alerts.map(\.t), [2, 4])
        XCTAssertEqual(alerts.map(\.json), [
            "{\"kind\":\"nearby\",\"object\":\"b\",\"other\":\"a\",\"lon\":\(Self.at(east: 50).lon),\"lat\":\(Self.at(east: 50).lat),\"props\":\(props),\"distance\":\(approach)}",
            "{\"kind\":\"faraway\",\"object\":\"a\",\"other\":\"b\",\"lon\":\(Self.at(east: -500).lon),\"lat\":\(Self.at(east: -500).lat),\"props\":\(props),\"distance\":\(separation)}",
        ])
        XCTAssertEqual(alerts.map(\.topic), ["alerts", "alerts"])
        XCTAssertEqual(publisher.nearPairCount, 0)
    }

    func testHaloCopiesArePartnersButNeverObserved() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let observed = Self.observe(&nearby, [Self.event("a", 2, east: 0)], halo: [Self.event("b", 1, east: 30), Self.event("c", 3, east: 30)],
                                    watermark: 10)
        XCTAssertEqual(observed.map(\.object), ["a"])
        XCTAssertEqual(observed.first?.kind, .moved(partners: [NearbyObservation.Partner(id: "b", point: Self.at(east: 30))]))
    }

    func testForgettingEndsPairsAtTheForgetTimeOnceForBothSides() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100, forgetAfter: 100), clock: Self.clock)
        let observed = Self.observe(&nearby, [Self.event("a", 0, east: 0), Self.event("b", 1, east: 10)], watermark: 100)
        XCTAssertEqual(observed.map(\.t), [0, 1], "a is forgotten at 100, not yet final below watermark 100")
        let expired = Self.observe(&nearby, [], watermark: 102)
        // a goes at 100 with b still near; b at 101 has nothing near any more: no observation.
        XCTAssertEqual(expired.map { "\($0.t) \($0.object) \($0.kind)" }, ["100 a forgotten"])
        XCTAssertEqual(nearby.retainedEvents, 0)

        var publisher = NearbyOperator(spec: NearbySpec(distance: 100, forgetAfter: 100), clock: Self.clock)
        XCTAssertEqual(publisher.combine(observed.map(\.output)).map(\.t), [1], "the pair forms when b arrives")
        let ended = publisher.combine(expired.map(\.output))
        XCTAssertEqual(ended.map(\.t), [100])
        XCTAssertTrue(ended[0].json.hasPrefix("{\"kind\":\"faraway\",\"object\":\"a\",\"other\":\"b\","))
    }

    func testForgetAfterDefaultsToTheWindowSizeAndFinishForgetsEverything() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        XCTAssertEqual(nearby.forgetAfter, 1_000)
        let observed = Self.observe(&nearby, [Self.event("b", 5, east: 0), Self.event("a", 5, east: 10)], watermark: .max)
        // At t 5: "a" first (id order) sees nothing yet, then "b" lists "a"; both forgotten at 1,005: "a" reports.
        XCTAssertEqual(observed.map { "\($0.t) \($0.object)" }, ["5 a", "5 b", "1005 a"])
    }

    func testSameTimeEventsOfAnObjectCollapseToTheLastInInputOrder() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let observed = Self.observe(&nearby, [Self.event("b", 1, east: 0), Self.event("a", 5, east: 10), Self.event("a", 5, east: 900)],
                                    watermark: 10)
        XCTAssertEqual(observed.map { "\($0.t) \($0.object)" }, ["1 b", "5 a"])
        XCTAssertEqual(observed.last?.point, Self.at(east: 900))
    }

    func testOnlyEventsBeforeTheWatermarkAreProcessedInTimeOrder() {
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let first = Self.observe(&nearby, [Self.event("a", 7, east: 0), Self.event("b", 3, east: 5), Self.event("c", 9, east: 5)], watermark: 8)
        XCTAssertEqual(first.map { "\($0.t) \($0.object)" }, ["3 b", "7 a"])
        XCTAssertEqual(Self.observe(&nearby, [], watermark: 10).map(\.object), ["c"])
    }

    func testFilterAndPolygonsKeepObjectsOut() {
        let trucks = PropertyFilter([JSONMember("type", .string("truck"))])
        var nearby = NearbyOperator(spec: NearbySpec(distance: 100, filter: trucks), clock: Self.clock)
        var results: [OperatorOutput] = []
        nearby.apply(polygons: [PolygonEvent(id: "p", t: 0, geometry: nil, role: .object)], halo: false, clock: Self.clock, into: &results)
        let observed = Self.observe(&nearby, [Self.event("car", 0, east: 0, props: ["type": .string("car")]),
                                              Self.event("truck", 1, east: 0, props: ["type": .string("truck")])], watermark: 10)
        XCTAssertEqual(observed.map(\.object), ["truck"])
        XCTAssertEqual(observed.first?.kind, .moved(partners: []))
    }

    func testCombineOutputDoesNotDependOnPartialOrderOrBatching() {
        var generator = SeededGenerator(seed: 7)
        var worker = NearbyOperator(spec: NearbySpec(distance: 300), clock: Self.clock)
        let events = (0..<400).map { index in
            Self.event("o\(generator.next() % 12)", Int64(index / 3), east: generator.nextDouble(in: 0..<1_000), north: generator.nextDouble(in: 0..<500))
        }
        let observations = Self.observe(&worker, events, watermark: .max).map(\.output)
        XCTAssertGreaterThan(observations.count, 50)
        var inOrder = NearbyOperator(spec: NearbySpec(distance: 300), clock: Self.clock)
        let expected = inOrder.combine(observations)
        XCTAssertGreaterThan(expected.count, 20)
        for round in 0..<5 {
            var publisher = NearbyOperator(spec: NearbySpec(distance: 300), clock: Self.clock)
            var alerts: [OperatorOutput] = []
            // Releases split at random times, each shuffled.
            var rest = observations
            while !rest.isEmpty {
                let cut = rest[Int(generator.next() % UInt64(rest.count))].t + 1
                var release = rest.filter { $0.t < cut }
                rest.removeAll { $0.t < cut }
                release.shuffle(using: &generator)
                alerts += publisher.combine(release)
            }
            XCTAssertEqual(alerts, expected, "round \(round)")
        }
    }

    func testObservationTextRoundTripsExactly() throws {
        let props: JSONObject = ["name": .string("Zoë \"quoted\"\n"), "n": .integer(-12), "x": .double(0.1), "tags": .array([.bool(true), .null]),
                                 "nested": .object(["k": .double(1e-7)])]
        let observation = NearbyObservation(t: 42, object: "id \"1\"", point: Point(lon: -0.1234567890123, lat: 51.000000000001), props: props,
                                            kind: .moved(partners: [NearbyObservation.Partner(id: "ü", point: Point(lon: 1e-10, lat: -3))]))
        XCTAssertEqual(try NearbyObservation(observation.output), observation)
        let forgotten = NearbyObservation(t: 9, object: "a", point: Point(lon: 1, lat: 2), props: JSONObject(), kind: .forgotten)
        XCTAssertEqual(try NearbyObservation(forgotten.output), forgotten)
        XCTAssertThrowsError(try NearbyObservation(OperatorOutput(topic: "alerts", t: 1, json: "{\"object\":\"a\"}")))
    }

    func testAnUnreadablePartialPassesThroughAfterItsTimesAlerts() {
        var publisher = NearbyOperator(spec: NearbySpec(distance: 100), clock: Self.clock)
        let stray = OperatorOutput(topic: "alerts", t: 1, json: "{\"not\":\"an observation\"}")
        let a = NearbyObservation(t: 1, object: "a", point: Self.at(east: 0), props: JSONObject(), kind: .moved(partners: [
            NearbyObservation.Partner(id: "b", point: Self.at(east: 10)),
        ]))
        let stats = OperatorOutput(topic: "stats", t: 0, json: "{\"stage\":\"near\"}")
        let result = publisher.combine([stray, a.output, stats])
        XCTAssertEqual(result.count, 3)
        XCTAssertEqual(result[0], stats, "a worker's stats pass through, in time order")
        XCTAssertTrue(result[1].json.hasPrefix("{\"kind\":\"nearby\""))
        XCTAssertEqual(result[2], stray)
    }
}
