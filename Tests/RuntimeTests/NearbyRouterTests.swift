import GeoCore
import Operators
import Runtime
import TestSupport
import Wire
import XCTest

/// The router rule of nearby stages: owner, halo, previous recipients, filter, out-of-order
/// resends, same-time ordering and forgetting; and that other stages are routed as before.
final class NearbyRouterTests: XCTestCase {
    static let bbox = Rect(minX: 0, minY: 0, maxX: 1, maxY: 1)
    static let window = WindowSpec(size: 10_000, slide: 1_000)

    /// Two workers: the uniform map of an empty sample splits the unit square at lon 0.5.
    func makeRouter(workers: Int = 2, distance: Double = 1_000, filter: PropertyFilter = PropertyFilter(),
                    forgetAfter: Int64? = nil, extraStages: [StageSpec] = []) -> EventRouter {
        let nearby = StageSpec(name: "near", partition: PartitionSpec(by: .space, workers: workers, halo: distance),
                               operatorSpec: .nearby(NearbySpec(distance: distance, filter: filter, forgetAfter: forgetAfter)))
        let router = EventRouter(spec: PipelineSpec(name: "r", bbox: Self.bbox, window: Self.window, stages: extraStages + [nearby]))
        router.buildMaps(sample: [])
        return router
    }

    struct Routed: Equatable {
        var owner: Int?
        var halo: Set<Int>
        var resends: [Int: Int64]
        var flushFirst: [Int]
    }

    func route(_ router: EventRouter, _ id: String, t: Int64, lon: Double, lat: Double = 0.5, watermark: Int64 = .min,
               props: JSONObject = JSONObject()) -> Routed {
        var deliveries: [PointDelivery] = [], resends: [PointResend] = [], flushFirst: [Int] = []
        router.nearbyDeliveries(for: PointEvent(id: id, t: t, point: Point(lon: lon, lat: lat), props: props), watermark: watermark,
                                into: &deliveries, resends: &resends, flushFirst: &flushFirst)
        let owners = deliveries.filter { !$0.halo }.map(\.worker)
        XCTAssertLessThanOrEqual(owners.count, 1)
        XCTAssertEqual(Set(deliveries.map(\.worker)).count, deliveries.count, "each worker gets one copy")
        return Routed(owner: owners.first, halo: Set(deliveries.filter(\.halo).map(\.worker)),
                      resends: Dictionary(uniqueKeysWithValues: resends.map { ($0.worker, $0.event.t) }), flushFirst: flushFirst)
    }

    func testTheMapSplitsTheSquareBetweenTwoWorkers() throws {
        let map = try XCTUnwrap(makeRouter().spaceMap(stage: 0))
        XCTAssertNotEqual(map.worker(for: Point(lon: 0.1, lat: 0.5)), map.worker(for: Point(lon: 0.9, lat: 0.5)))
    }

    func testPreviousRecipientsReceiveTheMoveAwayFromTheirSlots() throws {
        let router = makeRouter()
        let map = try XCTUnwrap(router.spaceMap(stage: 0))
        let west = map.worker(for: Point(lon: 0.1, lat: 0.5)), east = map.worker(for: Point(lon: 0.9, lat: 0.5))
        // Deep in the west: owner only.
        XCTAssertEqual(route(router, "a", t: 1, lon: 0.1), Routed(owner: west, halo: [], resends: [:], flushFirst: []))
        // Jumps deep east: the west worker held "a" near its slots, so it learns "a" left.
        XCTAssertEqual(route(router, "a", t: 2, lon: 0.9), Routed(owner: east, halo: [west], resends: [:], flushFirst: []))
        // Stays east: the west worker's copy is now far from its slots; it is not told again.
        XCTAssertEqual(route(router, "a", t: 3, lon: 0.91), Routed(owner: east, halo: [], resends: [:], flushFirst: []))
        // Next to the border (within 1 km of the west slots): a halo copy to the west.
        XCTAssertEqual(route(router, "a", t: 4, lon: 0.501), Routed(owner: east, halo: [west], resends: [:], flushFirst: []))
        XCTAssertEqual(route(router, "a", t: 5, lon: 0.95), Routed(owner: east, halo: [west], resends: [:], flushFirst: []))
        // Other objects are independent.
        XCTAssertEqual(route(router, "b", t: 6, lon: 0.95), Routed(owner: east, halo: [], resends: [:], flushFirst: []))
    }

    func testFilteredPointsAreNotRoutedAndDoNotMoveTheRecipients() throws {
        let trucks = PropertyFilter([JSONMember("type", .string("truck"))])
        let router = makeRouter(filter: trucks)
        let map = try XCTUnwrap(router.spaceMap(stage: 0))
        let west = map.worker(for: Point(lon: 0.1, lat: 0.5)), east = map.worker(for: Point(lon: 0.9, lat: 0.5))
        let truck: JSONObject = ["type": .string("truck")], car: JSONObject = ["type": .string("car")]
        XCTAssertEqual(route(router, "a", t: 1, lon: 0.1, props: truck).owner, west)
        XCTAssertEqual(route(router, "a", t: 2, lon: 0.9, props: car), Routed(owner: nil, halo: [], resends: [:], flushFirst: []))
        // The west worker still holds the truck position, so it gets the next one.
        XCTAssertEqual(route(router, "a", t: 3, lon: 0.9, props: truck), Routed(owner: east, halo: [west], resends: [:], flushFirst: []))
    }

    func testAnOutOfOrderEventGoesToItsPredecessorsWorkersAndResendsItsSuccessor() throws {
        let router = makeRouter()
        let map = try XCTUnwrap(router.spaceMap(stage: 0))
        let west = map.worker(for: Point(lon: 0.1, lat: 0.5)), east = map.worker(for: Point(lon: 0.9, lat: 0.5))
        _ = route(router, "a", t: 10, lon: 0.9)  // east
        _ = route(router, "a", t: 30, lon: 0.91)  // east
        // t = 20 arrives late but within the lateness, in the west: its predecessor (t 10) was
        // east, and the west worker must also see t 30, which it never got.
        XCTAssertEqual(route(router, "a", t: 20, lon: 0.1), Routed(owner: west, halo: [east], resends: [west: 30], flushFirst: []))
        // t 30 reached the west worker now: a later event after it is sent there as well.
        XCTAssertEqual(route(router, "a", t: 40, lon: 0.92), Routed(owner: east, halo: [], resends: [:], flushFirst: []))
        // t 25 (between 20 in the west and 30 in the east): goes to the west (predecessor's owner);
        // its successor (t 30) already reached the west, so nothing is resent.
        XCTAssertEqual(route(router, "a", t: 25, lon: 0.92), Routed(owner: east, halo: [west], resends: [:], flushFirst: []))
    }

    func testSameTimeEventWithAnotherOwnerFlushesBothOwnersFirst() throws {
        let router = makeRouter()
        let map = try XCTUnwrap(router.spaceMap(stage: 0))
        let west = map.worker(for: Point(lon: 0.1, lat: 0.5)), east = map.worker(for: Point(lon: 0.9, lat: 0.5))
        _ = route(router, "a", t: 10, lon: 0.1)
        XCTAssertEqual(route(router, "a", t: 10, lon: 0.9), Routed(owner: east, halo: [west], resends: [:], flushFirst: [west, east]))
        // Same time, same owner: batches of one kind keep their order, nothing to flush.
        XCTAssertEqual(route(router, "a", t: 10, lon: 0.91).flushFirst, [])
        // The replacement went wherever the replaced one went (west still holds the first one).
        XCTAssertEqual(route(router, "a", t: 10, lon: 0.92).halo, [west])
    }

    func testObjectsForgottenEverywhereAreDropped() {
        let router = makeRouter(forgetAfter: 100)
        for index in 0..<5_000 { _ = route(router, "o\(index)", t: Int64(index), lon: 0.1, watermark: Int64(index)) }
        // Pruned once the table reached 4,096: only objects seen in the last 100 ms survived then.
        XCTAssertLessThan(router.nearbyTrackedObjects(stage: 0), 1_100)
        // A forgotten object starts afresh: no copy to workers that forgot it.
        XCTAssertEqual(route(router, "o1", t: 6_000, lon: 0.9, watermark: 6_000).halo, [])
    }

    func testOneWorkerGetsEverythingOwnedAndOtherStagesKeepTheirRules() {
        let single = makeRouter(workers: 1)
        XCTAssertEqual(route(single, "a", t: 1, lon: 0.1), Routed(owner: 0, halo: [], resends: [:], flushFirst: []))
        XCTAssertEqual(route(single, "a", t: 2, lon: 0.9), Routed(owner: 0, halo: [], resends: [:], flushFirst: []))

        let heatmap = StageSpec(name: "heat", partition: PartitionSpec(by: .space, workers: 2, halo: 1_000),
                                operatorSpec: .heatmap(HeatmapSpec(cells: .metres(100))))
        let mixed = makeRouter(extraStages: [heatmap])
        XCTAssertEqual(mixed.plainStages, [0])
        XCTAssertTrue(mixed.hasHalo && mixed.hasNearby)
        var halo: [Int] = []
        mixed.haloWorkers(for: PointEvent(id: "a", t: 1, point: Point(lon: 0.501, lat: 0.5)), into: &halo)
        XCTAssertEqual(halo.count, 1, "heatmap stage halo, nearby stage not included")
        XCTAssertTrue(halo.allSatisfy { $0 < 2 })
        // The nearby stage's workers are numbered after the heatmap's.
        let routed = route(mixed, "a", t: 1, lon: 0.1)
        XCTAssertTrue((2..<4).contains(routed.owner ?? -1))
    }
}
