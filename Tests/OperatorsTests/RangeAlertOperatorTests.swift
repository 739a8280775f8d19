import GeoCore
import Operators
import Wire
import XCTest

/// Hand-checked alert sequences for each detect kind and each rule of docs/range-alert.md.
final class RangeAlertOperatorTests: XCTestCase {
    static let fenceA = FenceDefinition(id: "A", shape: .rect(Rect(minX: 0, minY: 0, maxX: 10, maxY: 10)))
    static let fenceB = FenceDefinition(id: "B", shape: .rect(Rect(minX: 20, minY: 0, maxX: 30, maxY: 10)))

    static func square(_ x: Double, _ y: Double, _ size: Double) -> Polygon {
        Polygon(uncheckedExterior: [Point(x: x, y: y), Point(x: x + size, y: y), Point(x: x + size, y: y + size),
                                    Point(x: x, y: y + size), Point(x: x, y: y)])
    }

    static func at(_ t: Int64, _ x: Double, _ y: Double, id: String = "v", props: JSONObject = [:]) -> PointEvent {
        PointEvent(id: id, t: t, point: Point(x: x, y: y), props: props)
    }

    static func alert(_ kind: String, _ fence: String, _ t: Int64, _ lon: String, _ lat: String, object: String = "v", props: String = "{}") -> OperatorOutput {
        OperatorOutput(topic: "alerts", t: t, json: "{\"kind\":\"\(kind)\",\"fence\":\"\(fence)\",\"object\":\"\(object)\",\"lon\":\(lon),\"lat\":\(lat),\"props\":\(props)}")
    }

    func makeOperator(_ detect: Set<AlertKind>, fences: [FenceDefinition] = [fenceA, fenceB], forgetAfter: Int64? = 60_000,
                      filter: PropertyFilter = PropertyFilter()) -> RangeAlertOperator {
        RangeAlertOperator(spec: RangeAlertSpec(fences: fences, detect: detect, forgetAfter: forgetAfter, filter: filter),
                           clock: WindowClock(size: 10_000, slide: 1_000))
    }

    func advance(_ alerts: inout RangeAlertOperator, to watermark: Int64) -> [OperatorOutput] {
        var out: [OperatorOutput] = []
        alerts.advance(clock: WindowClock(size: 10_000, slide: 1_000, watermark: watermark), into: &out)
        return publisherOrder(out)
    }

    func feed(_ alerts: inout RangeAlertOperator, _ points: [PointEvent], halo: Bool = false) {
        var out: [OperatorOutput] = []
        alerts.apply(points: points, halo: halo, clock: WindowClock(size: 10_000, slide: 1_000), into: &out)
        XCTAssertEqual(out, [])
    }

    func feed(_ alerts: inout RangeAlertOperator, _ polygons: [PolygonEvent]) {
        var out: [OperatorOutput] = []
        alerts.apply(polygons: polygons, halo: false, clock: WindowClock(size: 10_000, slide: 1_000), into: &out)
        XCTAssertEqual(out, [])
    }

    func testEnterInsideOutsideExitAndCross() {
        var alerts = makeOperator(Set(AlertKind.allCases))
        feed(&alerts, [Self.at(1_000, 5, 5), Self.at(2_000, 15, 5), Self.at(3_000, 25, 5), Self.at(4_000, -5, 5)])
        XCTAssertEqual(advance(&alerts, to: 5_000), publisherOrder([
            // First sighting inside A is an enter.
            Self.alert("enter", "A", 1_000, "5.0", "5.0"), Self.alert("inside", "A", 1_000, "5.0", "5.0"),
            Self.alert("outside", "B", 1_000, "5.0", "5.0"),
            // Leaving A: an exit, no cross (the previous position was inside).
            Self.alert("exit", "A", 2_000, "15.0", "5.0"),
            Self.alert("outside", "A", 2_000, "15.0", "5.0"), Self.alert("outside", "B", 2_000, "15.0", "5.0"),
            Self.alert("enter", "B", 3_000, "25.0", "5.0"), Self.alert("inside", "B", 3_000, "25.0", "5.0"),
            Self.alert("outside", "A", 3_000, "25.0", "5.0"),
            // Straight through A with both ends outside it: a cross; and out of B.
            Self.alert("exit", "B", 4_000, "-5.0", "5.0"), Self.alert("cross", "A", 4_000, "-5.0", "5.0"),
            Self.alert("outside", "A", 4_000, "-5.0", "5.0"), Self.alert("outside", "B", 4_000, "-5.0", "5.0"),
        ]))
    }

    func testEventsWaitForTheWatermarkAndRunInEventTimeOrder() {
        var alerts = makeOperator([.enter, .exit])
        feed(&alerts, [Self.at(2_000, 15, 5), Self.at(1_000, 10, 10)])  // out of order; (10, 10) is A's corner
        XCTAssertEqual(advance(&alerts, to: 1_000), [], "t = 1000 is not below the watermark yet")
        XCTAssertEqual(alerts.retainedEvents, 2)
        XCTAssertEqual(advance(&alerts, to: 1_500), [Self.alert("enter", "A", 1_000, "10.0", "10.0")])
        XCTAssertEqual(advance(&alerts, to: 2_001), [Self.alert("exit", "A", 2_000, "15.0", "5.0")])
        XCTAssertEqual(alerts.retainedEvents, 1, "one object tracked, nothing queued")
    }

    func testForgetAfterExitsAtLastPositionPlusForgetAfter() {
        var alerts = makeOperator([.enter, .exit], forgetAfter: 1_000)
        feed(&alerts, [Self.at(1_000, 5, 5, props: ["n": .integer(1)]), Self.at(1_000, 25, 5, id: "w")])
        XCTAssertEqual(advance(&alerts, to: 1_999), [
            Self.alert("enter", "A", 1_000, "5.0", "5.0", props: "{\"n\":1}"),
            Self.alert("enter", "B", 1_000, "25.0", "5.0", object: "w"),
        ])
        feed(&alerts, [Self.at(1_999, 26, 5, id: "w")])  // seen again: its expiry moves to 2999
        XCTAssertEqual(advance(&alerts, to: 2_000), [Self.alert("exit", "A", 2_000, "5.0", "5.0", props: "{\"n\":1}")],
                       "forgotten at 1000 + 1000, at its last position, with its last props")
        XCTAssertEqual(alerts.trackedObjects, 1)
        // Back at exactly its next expiry time: forgotten first (exit), then seen anew (enter).
        feed(&alerts, [Self.at(2_999, 26, 5, id: "w")])
        XCTAssertEqual(advance(&alerts, to: 3_000), [
            Self.alert("enter", "B", 2_999, "26.0", "5.0", object: "w"),
            Self.alert("exit", "B", 2_999, "26.0", "5.0", object: "w"),
        ])
    }

    func testFinishReportsPendingEventsAndExpiries() {
        var alerts = makeOperator([.enter, .exit], forgetAfter: 500)
        feed(&alerts, [Self.at(100, 5, 5)])
        var out: [OperatorOutput] = []
        alerts.finish(clock: WindowClock(size: 10_000, slide: 1_000, watermark: 0), into: &out)
        XCTAssertEqual(out, [Self.alert("enter", "A", 100, "5.0", "5.0"), Self.alert("exit", "A", 600, "5.0", "5.0")])
        XCTAssertEqual(alerts.retainedEvents, 0)
    }

    func testRemovedFenceExitsEveryObjectInsideAtTheRemovalTime() {
        var alerts = makeOperator([.enter, .exit])
        feed(&alerts, [Self.at(1_000, 5, 5), Self.at(1_000, 6, 6, id: "w"), Self.at(1_000, 25, 5, id: "x")])
        feed(&alerts, [PolygonEvent(id: "A", t: 1_500, geometry: nil, role: .fence)])
        XCTAssertEqual(advance(&alerts, to: 2_000), publisherOrder([
            Self.alert("enter", "A", 1_000, "5.0", "5.0"), Self.alert("enter", "A", 1_000, "6.0", "6.0", object: "w"),
            Self.alert("enter", "B", 1_000, "25.0", "5.0", object: "x"),
            Self.alert("exit", "A", 1_500, "5.0", "5.0"), Self.alert("exit", "A", 1_500, "6.0", "6.0", object: "w"),
        ]))
        XCTAssertEqual(alerts.fences.count, 1)
    }

    func testDynamicFenceAppliesFromItsTimeAndReplacementIsReevaluatedAtTheNextPosition() {
        var alerts = makeOperator([.enter, .exit], fences: [])
        feed(&alerts, [PolygonEvent(id: "Z", t: 1_000, geometry: .polygon(Self.square(0, 0, 10)), role: .fence)])
        // At the fence's own time a position already sees it (fence updates go first).
        feed(&alerts, [Self.at(999, 5, 5), Self.at(1_000, 5, 5)])
        XCTAssertEqual(advance(&alerts, to: 1_001), [Self.alert("enter", "Z", 1_000, "5.0", "5.0")])
        feed(&alerts, [PolygonEvent(id: "Z", t: 1_100, geometry: .polygon(Self.square(50, 50, 10)), role: .fence)])
        XCTAssertEqual(advance(&alerts, to: 1_200), [], "a replacement alone alerts nothing")
        feed(&alerts, [Self.at(1_300, 5, 5)])
        XCTAssertEqual(advance(&alerts, to: 1_400), [Self.alert("exit", "Z", 1_300, "5.0", "5.0")])
    }

    func testPolygonObjectsAlertOnIntersectingWithTheirBoundsCentreAndGeometry() {
        var alerts = makeOperator([.enter, .cross])
        let area = PolygonEvent(id: "p", t: 1_000, geometry: .polygon(Self.square(9, 9, 2)), role: .object, props: ["k": .string("a\"b")])
        let across = PolygonEvent(id: "p", t: 2_000, geometry: .polygon(Self.square(40, 0, 2)), role: .object)
        feed(&alerts, [area, across])
        let geometry = "{\"type\":\"Polygon\",\"coordinates\":[[[9.0,9.0],[11.0,9.0],[11.0,11.0],[9.0,11.0],[9.0,9.0]]]}"
        XCTAssertEqual(advance(&alerts, to: 3_000), [
            OperatorOutput(topic: "alerts", t: 1_000, json: "{\"kind\":\"enter\",\"fence\":\"A\",\"object\":\"p\",\"lon\":10.0,\"lat\":10.0,\"props\":{\"k\":\"a\\\"b\"},\"geometry\":\(geometry)}"),
        ], "touching A's corner counts; polygon objects never cross")
    }

    func testWhereFilterSkipsNonMatchingPositionsAndHaloCopiesAreIgnored() {
        var alerts = makeOperator([.enter, .exit], filter: PropertyFilter([JSONMember("type", .string("truck"))]))
        let truck: JSONObject = ["type": .string("truck")], car: JSONObject = ["type": .string("car")]
        feed(&alerts, [Self.at(1_000, 5, 5, props: car), Self.at(2_000, 5, 5, props: truck), Self.at(3_000, 15, 5, props: car)])
        feed(&alerts, [Self.at(2_500, 15, 5, props: truck)], halo: true)
        XCTAssertEqual(advance(&alerts, to: 4_000), [Self.alert("enter", "A", 2_000, "5.0", "5.0", props: "{\"type\":\"truck\"}")],
                       "a car position is not seen at all, so the truck stays inside")
        XCTAssertEqual(alerts.filteredEvents, 2)
        XCTAssertEqual(alerts.ignoredHaloEvents, 1)
    }
}
