import XCTest
import GeoCore
import Runtime
import TestSupport

/// Halo copies and rect fan-out of `SpacePartitionMap`, against scans of every slot with plain
/// haversine distances.
final class PartitionHaloTests: XCTestCase {
    typealias Data = PartitionTestData

    /// An upper bound on the distance from the point to the rect, from real points of the rect (so
    /// never below the true distance): the point clamped into the rect, and 64 steps along each edge.
    static func distanceUpperBound(_ point: Point, _ rect: Rect) -> Double {
        if rect.contains(point) { return 0 }
        var best = Geodesy.distance(point, Point(x: min(max(point.x, rect.minX), rect.maxX),
                                                 y: min(max(point.y, rect.minY), rect.maxY)))
        for step in 0...64 {
            let f = Double(step) / 64
            let x = rect.minX + rect.width * f, y = rect.minY + rect.height * f
            for edgePoint in [Point(x: x, y: rect.minY), Point(x: x, y: rect.maxY), Point(x: rect.minX, y: y), Point(x: rect.maxX, y: y)] {
                best = min(best, Geodesy.distance(point, edgePoint))
            }
        }
        return best
    }

    /// An upper bound on the distance from a point inside the bbox to the world outside it: the
    /// nearest of the four points straight across each edge.
    static func distanceToOutsideUpperBound(_ point: Point, _ box: Rect) -> Double {
        if !box.contains(point) { return 0 }
        return [Point(x: box.minX, y: point.y), Point(x: box.maxX, y: point.y),
                Point(x: point.x, y: box.minY), Point(x: point.x, y: box.maxY)].map { Geodesy.distance(point, $0) }.min()!
    }

    func testHaloNeverMissesAWorkerWithinReachAndAddsNoneFarBeyondIt() {
        var generator = SeededGenerator(seed: 10)
        let around = Rect(minX: -74.32, minY: 40.48, maxX: -73.68, maxY: 40.97)
        for (workers, sample) in [(3, Data.skewed(8_192, in: Data.city, using: &generator)), (8, []),
                                  (8, Data.skewed(8_192, in: Data.city, using: &generator))] {
            let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: sample)
            var checkedWithin = 0
            let points = Data.skewed(150, in: around, using: &generator) + Data.boundaryPoints(map).prefix(60)
            for (index, point) in points.enumerated() {
                let metres = [50.0, 300, 1_500, 8_000][index % 4]
                let owner = map.worker(for: point)
                var halo: [Int] = [-7]
                map.haloWorkers(of: point, within: metres, owner: owner, into: &halo)
                XCTAssertEqual(halo.first, -7, "what was in the result stays")
                halo.removeFirst()
                XCTAssertEqual(Set(halo).count, halo.count, "no duplicates")
                XCTAssertFalse(halo.contains(owner))

                var nearest: [Int: Double] = [:]  // worker -> upper bound of its nearest slot's distance
                for slot in map.slots where Geodesy.distance(point, Point(x: point.x, y: min(max(point.y, slot.bounds.minY), slot.bounds.maxY))) <= metres * 1.1 + 1 {
                    let d = Self.distanceUpperBound(point, slot.bounds)
                    nearest[slot.worker] = min(nearest[slot.worker] ?? .infinity, d)
                }
                let outside = Self.distanceToOutsideUpperBound(point, Data.city)
                nearest[map.overflowWorker] = min(nearest[map.overflowWorker] ?? .infinity, outside)
                let context = "workers=\(workers) point=\(point) metres=\(metres)"
                for (worker, d) in nearest where worker != owner && d <= metres {
                    XCTAssertTrue(halo.contains(worker), "missed worker \(worker) at \(d) m; \(context)")
                    checkedWithin += 1
                }
                for worker in halo {
                    XCTAssertLessThanOrEqual(nearest[worker] ?? .infinity, metres * 1.02 + 1, "worker \(worker) is too far; \(context)")
                }
            }
            XCTAssertGreaterThan(checkedWithin, 50, "the points must reach other workers often enough to test something")
        }
    }

    func testNoHaloAtZeroOrNegativeOrNaNDistanceNorForANaNPoint() {
        let map = SpacePartitionMap(bbox: Data.city, workers: 8, sample: [])
        let edge = map.slots[0].bounds.maxX
        for (point, metres) in [(Point(x: edge, y: 40.51), 0.0), (Point(x: edge, y: 40.51), -5), (Point(x: edge, y: 40.51), .nan),
                                (Point(x: .nan, y: 40.6), 1_000)] {
            var halo: [Int] = []
            map.haloWorkers(of: point, within: metres, owner: map.worker(for: point), into: &halo)
            XCTAssertEqual(halo, [], "\(point) \(metres)")
        }
        var halo: [Int] = []
        let point = Point(x: edge, y: 40.51)
        map.haloWorkers(of: point, within: 100_000, owner: map.worker(for: point), into: &halo)
        XCTAssertEqual(Set(halo), Set(0..<8).subtracting([map.worker(for: point)]), "100 km reaches every worker of a 60 km box")
    }

    /// A point just east of the antimeridian is metres from the slots just west of it.
    func testHaloReachesAcrossTheAntimeridian() {
        let world = Rect(minX: -180, minY: -90, maxX: 180, maxY: 90)
        let map = SpacePartitionMap(bbox: world, workers: 8, sample: [])
        let east = Point(x: 179.9995, y: 0.5), west = Point(x: -179.9995, y: 0.5)
        let (eastOwner, westOwner) = (map.worker(for: east), map.worker(for: west))
        XCTAssertNotEqual(eastOwner, westOwner, "the test needs the two sides on different workers")
        var halo: [Int] = []
        map.haloWorkers(of: east, within: 200, owner: eastOwner, into: &halo)
        XCTAssertEqual(halo, [westOwner])
    }

    func testPointsOutsideTheBBoxHaloIntoTheSlotsNearThem() {
        let map = SpacePartitionMap(bbox: Data.city, workers: 8, sample: [])
        let inside = Point(x: Data.city.maxX - 1e-6, y: 40.7)
        let outside = Point(x: Data.city.maxX + 0.001, y: 40.7)  // ~84 m east of the bbox
        XCTAssertEqual(map.worker(for: outside), map.overflowWorker)
        var halo: [Int] = []
        map.haloWorkers(of: outside, within: 200, owner: map.overflowWorker, into: &halo)
        XCTAssertTrue(halo.contains(map.worker(for: inside)) || map.worker(for: inside) == map.overflowWorker)
        halo = []
        map.haloWorkers(of: outside, within: 50, owner: map.overflowWorker, into: &halo)
        XCTAssertEqual(halo, [])
    }

    func testRectsGoToEveryWorkerOwningPartOfThemAndOverflowWhenTheyLeaveTheBBox() {
        var generator = SeededGenerator(seed: 11)
        let around = Rect(minX: -74.4, minY: 40.4, maxX: -73.6, maxY: 41.05)
        for (workers, sample) in [(1, [Point]()), (3, Data.skewed(8_192, in: Data.city, using: &generator)), (8, [])] {
            let map = SpacePartitionMap(bbox: Data.city, workers: workers, sample: sample)
            var rects: [Rect] = []
            for size in [0.0, 0.001, 0.02, 0.2, 1] {
                for _ in 0..<60 {
                    let corner = Data.uniform(1, in: around, using: &generator)[0]
                    rects.append(Rect(minX: corner.x, minY: corner.y, maxX: corner.x + size * generator.nextDouble(in: 0.2..<1),
                                      maxY: corner.y + size * generator.nextDouble(in: 0.2..<1)))
                }
            }
            rects += map.slots.prefix(40).map(\.bounds)  // edges exactly on slot boundaries
            rects += [Data.city, Rect(minX: Data.city.maxX, minY: 40.6, maxX: 180, maxY: 40.7),
                      Rect(minX: 10, minY: 10, maxX: 11, maxY: 11)]
            for rect in rects {
                var expected = Set<Int>()
                for slot in map.slots {
                    let b = slot.bounds
                    let reachesX = b.minX <= rect.maxX && (rect.minX < b.maxX || (b.maxX == Data.city.maxX && rect.minX <= b.maxX))
                    let reachesY = b.minY <= rect.maxY && (rect.minY < b.maxY || (b.maxY == Data.city.maxY && rect.minY <= b.maxY))
                    if reachesX && reachesY { expected.insert(slot.worker) }
                }
                if !Data.city.contains(rect) { expected.insert(map.overflowWorker) }
                XCTAssertEqual(map.workers(overlapping: rect), expected.sorted(), "workers=\(workers) rect=\(rect)")
            }
        }
    }

    func testEmptyAndNaNRects() {
        let map = SpacePartitionMap(bbox: Data.city, workers: 3, sample: [])
        XCTAssertEqual(map.workers(overlapping: .empty), [])
        XCTAssertEqual(map.workers(overlapping: Rect(minX: .nan, minY: 40.6, maxX: -74, maxY: 40.7)), [map.overflowWorker])
    }
}
