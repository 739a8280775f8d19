import Foundation
import GeoCore
import TestSupport

/// Point-in-polygon against a 1,000-vertex concave polygon (a seeded star), the fence test every
/// range alert runs.
func runGeometryBenchmarks(report: (String, Double, String) -> Void) {
    var generator = SeededGenerator(seed: 11)
    let vertexCount = 1_000
    var ring: [Point] = []
    for i in 0..<(vertexCount - 1) {
        let angle = Double(i) / Double(vertexCount - 1) * 2 * Double.pi
        let radius = generator.nextDouble(in: 0.5..<1.0)
        ring.append(Point(lon: -73.6 + 0.1 * radius * cos(angle), lat: 45.5 + 0.1 * radius * sin(angle)))
    }
    ring.append(ring[0])
    let polygon = Polygon(uncheckedExterior: ring)
    let queries = (0..<1_000_000).map { _ in
        Point(lon: generator.nextDouble(in: -73.71..<(-73.49)), lat: generator.nextDouble(in: 45.39..<45.61))
    }
    emitLine("data: \(queries.count) seeded points against one seeded 1,000-vertex concave polygon")
    var inside = 0
    let seconds = measureSeconds {
        for point in queries where polygon.contains(point) { inside += 1 }
    }
    report("pip_1000_vertices", Double(queries.count) / seconds, "ops/s")
    report("pip_1000_vertices_inside_fraction", Double(inside) / Double(queries.count), "ratio")
}
