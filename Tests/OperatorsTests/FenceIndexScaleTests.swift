import Foundation
import GeoCore
import Operators
import TestSupport
import XCTest

/// 100,000 twenty-vertex polygon fences over a city: the index builds, updates and answers exactly
/// what testing every fence directly answers, on a sample of queries.
final class FenceIndexScaleTests: XCTestCase {
    static let city = Rect(minX: 13.0, minY: 52.3, maxX: 13.8, maxY: 52.7)

    static func fence(_ id: String, _ random: inout SeededGenerator) -> FenceDefinition {
        let center = Point(x: random.nextDouble(in: city.minX..<city.maxX), y: random.nextDouble(in: city.minY..<city.maxY))
        let radius = random.nextDouble(in: 0.0005..<0.004)
        let ring = RangeAlertScenario.starRing(around: center, radius: radius, vertices: 20, &random)
        return FenceDefinition(id: id, shape: .polygon(Polygon(uncheckedExterior: ring)))
    }

    func testHundredThousandPolygonFencesAgainstBruteForce() {
        var random = SeededGenerator(seed: 100_000)
        var fences = (0..<100_000).map { Self.fence("z\($0)", &random) }
        var index = FenceIndex(fences: fences)
        XCTAssertEqual(index.count, 100_000)

        func polygon(_ fence: FenceDefinition) -> Polygon {
            guard case let .polygon(polygon) = fence.shape else { fatalError("polygons only") }
            return polygon
        }
        // Every fence tested directly: its bounds, then its exact predicate.
        var polygons = fences.map(polygon)
        var bounds = polygons.map(\.bounds)
        func bruteContaining(_ point: Point) -> [String] {
            polygons.indices.filter { bounds[$0].contains(point) && polygons[$0].contains(point) }.map { fences[$0].id }.sorted()
        }
        func bruteTouching(_ segment: Segment) -> [String] {
            polygons.indices.filter { bounds[$0].intersects(segment.bounds) && polygons[$0].intersects(segment) }.map { fences[$0].id }.sorted()
        }
        func bruteIntersecting(_ area: Polygon) -> [String] {
            polygons.indices.filter { bounds[$0].intersects(area.bounds) && polygons[$0].intersects(area) }.map { fences[$0].id }.sorted()
        }
        func randomPoint() -> Point {
            if random.chance(0.7) {
                // Near a fence, so most queries have answers.
                let near = polygon(fences[random.int(in: 0...(fences.count - 1))]).bounds.center
                return Point(x: near.x + random.nextDouble(in: -0.003..<0.003), y: near.y + random.nextDouble(in: -0.002..<0.002))
            }
            return Point(x: random.nextDouble(in: Self.city.minX..<Self.city.maxX), y: random.nextDouble(in: Self.city.minY..<Self.city.maxY))
        }

        var hits = 0
        for _ in 0..<120 {
            let point = randomPoint()
            let expected = bruteContaining(point)
            hits += expected.count
            XCTAssertEqual(index.fenceIDs(containing: point), expected, "\(point)")
        }
        XCTAssertGreaterThan(hits, 50, "the sample should land in fences")
        for _ in 0..<20 {
            let a = randomPoint()
            let segment = Segment(a, Point(x: a.x + random.nextDouble(in: -0.01..<0.01), y: a.y + random.nextDouble(in: -0.01..<0.01)))
            XCTAssertEqual(index.fenceIDs(touching: segment), bruteTouching(segment))
        }
        for _ in 0..<20 {
            let area = RangeAlertScenario.starPolygon(around: randomPoint(), radius: 0.002, &random, hole: false)
            XCTAssertEqual(index.fenceIDs(intersecting: .polygon(area)), bruteIntersecting(area))
        }

        // Dynamic updates: replace 500, remove 500, add 500; then query again.
        for k in 0..<500 {
            let replaced = Self.fence(fences[k].id, &random)
            index.insertOrReplace(replaced)
            fences[k] = replaced
        }
        for id in fences[500..<1_000].map(\.id) { index.remove(id: id) }
        fences.removeSubrange(500..<1_000)
        for k in 0..<500 {
            let added = Self.fence("new\(k)", &random)
            index.insertOrReplace(added)
            fences.append(added)
        }
        XCTAssertEqual(index.count, 100_000)
        polygons = fences.map(polygon)
        bounds = polygons.map(\.bounds)
        for _ in 0..<60 {
            let point = randomPoint()
            XCTAssertEqual(index.fenceIDs(containing: point), bruteContaining(point), "\(point) after updates")
        }
    }
}
