import GeoCore
import SpatialIndex
import TestSupport

/// The sliding window written as plainly as possible: a list filtered by the Flink rule.
struct WindowReference {
    let size: Int64
    let slide: Int64
    var entries: [WindowEntry<Int>] = []
    var windowEnd: Int64?
    var lowerBound: Int64 = .min

    init(size: Int64, slide: Int64) {
        self.size = size
        self.slide = slide
    }

    mutating func insert(_ id: Int, geometry: Geometry, time: Int64) -> Bool {
        if time < lowerBound { return false }
        entries.append(WindowEntry(geometry: geometry, time: time, payload: id))
        return true
    }

    /// Returns the entries that left.
    mutating func advance(to watermark: Int64) -> [WindowEntry<Int>] {
        var end = watermark / slide * slide
        if end > watermark { end -= slide }           // round towards minus infinity
        if let current = windowEnd, end <= current { return [] }
        windowEnd = end
        lowerBound = end - size
        let gone = entries.filter { $0.time < end - size }
        entries.removeAll { $0.time < end - size }
        return gone
    }

    /// What queries must see: `lowerBound <= t < windowEnd`, everything before the first advance.
    var visible: [WindowEntry<Int>] {
        guard let windowEnd else { return entries }
        return entries.filter { $0.time < windowEnd }
    }
}

/// The same distance rule the window documents: haversine to a point, `Geodesy.distance(from:to:)` otherwise.
func windowTestMetres(from origin: Point, to geometry: Geometry) -> Double {
    if case .point(let point) = geometry { return Geodesy.distance(origin, point) }
    return Geodesy.distance(from: origin, to: geometry)
}

/// Random points and small polygons around New York, seeded.
struct WindowStreamGenerator {
    static let box = Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95)
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func point(in box: Rect = WindowStreamGenerator.box) -> Point {
        Point(x: random.nextDouble(in: box.minX..<box.maxX), y: random.nextDouble(in: box.minY..<box.maxY))
    }

    /// A small axis-aligned square or a triangle (closed ring, counter-clockwise), up to `extent` degrees.
    mutating func smallPolygon(extent: Double = 0.01) -> Polygon {
        let origin = point()
        let w = random.nextDouble(in: extent * 0.1..<extent)
        let h = random.nextDouble(in: extent * 0.1..<extent)
        let ring: [Point]
        if random.next() % 2 == 0 {
            ring = [origin, Point(x: origin.x + w, y: origin.y), Point(x: origin.x + w, y: origin.y + h),
                    Point(x: origin.x, y: origin.y + h), origin]
        } else {
            ring = [origin, Point(x: origin.x + w, y: origin.y), Point(x: origin.x + w * 0.3, y: origin.y + h), origin]
        }
        return Polygon(uncheckedExterior: ring)
    }

    /// Mostly points, about one in five a polygon.
    mutating func geometry() -> Geometry {
        random.next() % 5 == 0 ? .polygon(smallPolygon()) : .point(point())
    }

    mutating func rect(maxExtent: Double) -> Rect {
        let origin = point()
        return Rect(minX: origin.x, minY: origin.y,
                    maxX: origin.x + random.nextDouble(in: 0..<maxExtent),
                    maxY: origin.y + random.nextDouble(in: 0..<maxExtent))
    }

    mutating func int(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &random) }
}
