import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

/// The queue stateful operators read events from: order (t, fence updates, object polygons, points,
/// id, arrival) and draining by watermark, against a plain stable sort of everything appended.
final class EventTimeQueueTests: XCTestCase {
    /// What an event is, for comparing orders: kind, t, id, and a serial number telling arrival apart.
    func describe(_ event: EventTimeQueue.Event) -> String {
        func serial(_ props: JSONObject) -> String {
            if case let .integer(number)? = props["n"] { String(number) } else { "?" }
        }
        return switch event {
        case let .point(point, halo): "p \(point.t) \(point.id) \(serial(point.props)) \(halo)"
        case let .polygon(polygon, halo): "\(polygon.role == .fence ? "f" : "o") \(polygon.t) \(polygon.id) \(serial(polygon.props)) \(halo)"
        }
    }

    func testSameTimeOrdersFencesThenPolygonsThenPointsThenIdThenArrival() {
        var queue = EventTimeQueue()
        let square = Geometry.polygon(Polygon(uncheckedExterior: [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 0)]))
        queue.append(points: [PointEvent(id: "b", t: 5, point: Point(x: 0, y: 0), props: ["n": .integer(1)]),
                              PointEvent(id: "a", t: 5, point: Point(x: 0, y: 0), props: ["n": .integer(2)]),
                              PointEvent(id: "b", t: 5, point: Point(x: 0, y: 0), props: ["n": .integer(3)]),
                              PointEvent(id: "z", t: 4, point: Point(x: 0, y: 0), props: ["n": .integer(4)])], halo: false)
        queue.append(polygons: [PolygonEvent(id: "o", t: 5, geometry: square, role: .object, props: ["n": .integer(5)]),
                                PolygonEvent(id: "f", t: 5, geometry: nil, role: .fence, props: ["n": .integer(6)])], halo: true)
        var ready: [EventTimeQueue.Event] = []
        queue.drain(before: 5, into: &ready)
        XCTAssertEqual(ready.map(describe), ["p 4 z 4 false"])
        XCTAssertEqual(queue.count, 5)
        ready.removeAll()
        queue.drain(before: .max, into: &ready)
        XCTAssertEqual(ready.map(describe), ["f 5 f 6 true", "o 5 o 5 true", "p 5 a 2 false", "p 5 b 1 false", "p 5 b 3 false"])
        XCTAssertTrue(queue.isEmpty)
    }

    func testRandomAppendsAndDrainsEqualAStableSort() {
        var random = SeededGenerator(seed: 77)
        for round in 0..<50 {
            var queue = EventTimeQueue()
            var appended: [(key: (Int64, Int, String), serial: Int, text: String)] = []
            var drained: [String] = []
            var serial = 0
            var watermark: Int64 = 0
            for _ in 0..<40 {
                // A batch of points or polygons, times a little behind or ahead of the watermark.
                let count = Int(random.next() % 20)
                let halo = random.next() % 4 == 0
                if random.next() % 3 == 0 {
                    var batch: [PolygonEvent] = []
                    for _ in 0..<count {
                        serial += 1
                        let t = watermark + Int64(random.next() % 30)
                        let fence = random.next() % 2 == 0
                        let event = PolygonEvent(id: "id\(random.next() % 5)", t: t, geometry: nil, role: fence ? .fence : .object, props: ["n": .integer(Int64(serial))])
                        batch.append(event)
                        appended.append(((t, fence ? 0 : 1, event.id), serial, describe(.polygon(event, halo: halo))))
                    }
                    queue.append(polygons: batch, halo: halo)
                } else {
                    var batch: [PointEvent] = []
                    for _ in 0..<count {
                        serial += 1
                        let t = watermark + Int64(random.next() % 30)
                        let event = PointEvent(id: "id\(random.next() % 5)", t: t, point: Point(x: 0, y: 0), props: ["n": .integer(Int64(serial))])
                        batch.append(event)
                        appended.append(((t, 2, event.id), serial, describe(.point(event, halo: halo))))
                    }
                    queue.append(points: batch, halo: halo)
                }
                watermark += Int64(random.next() % 20)
                var ready: [EventTimeQueue.Event] = []
                queue.drain(before: watermark, into: &ready)
                XCTAssertTrue(ready.allSatisfy { $0.t < watermark }, "round \(round): drained an event at or after the watermark")
                drained += ready.map(describe)
            }
            var ready: [EventTimeQueue.Event] = []
            queue.drain(before: .max, into: &ready)
            drained += ready.map(describe)
            // Events are only ever appended at or after the current watermark, so the drained sequence
            // must be the stable sort of everything by (t, rank, id).
            let expected = appended.sorted { left, right in
                left.key != right.key ? left.key < right.key : left.serial < right.serial
            }.map(\.text)
            XCTAssertEqual(drained, expected, "round \(round)")
        }
    }
}
