import Foundation
import GeoCore
import Operators
import TestSupport
import Wire

/// Seeded random range-alert streams: fences of every shape over a small city-sized area, objects
/// wandering through them (some pausing long enough to be forgotten, some areas instead of points,
/// some landing exactly on fence vertices and edges), dynamic fence adds, replacements and removals,
/// arrival out of order within the lateness, random batches and watermarks, halo copies.
struct RangeAlertScenario {
    enum Step {
        case points([PointEvent], halo: Bool)
        case polygons([PolygonEvent])
        case advance(watermark: Int64)
    }

    var spec: RangeAlertSpec
    var windowSize: Int64
    var steps: [Step]
    /// Non-halo events in arrival order, for the reference.
    var inputs: [RangeAlertReference.Input]

    static let area = Rect(minX: 10.0, minY: 50.0, maxX: 10.2, maxY: 50.15)
    static let oddID = "q\"uo\\te-ü\n"

    struct Options {
        var staticFences = 16
        var dynamicFenceEvents = 20
        var objects = 24
        var areaObjects = 4
        var events = 1_500
        var lateness: Int64 = 400
        var detect: Set<AlertKind> = Set(AlertKind.allCases)
        var filter = PropertyFilter()
        var forgetAfter: Int64? = 4_000
        var windowSize: Int64 = 6_000
        var startTime: Int64 = 1_700_000_000_000
    }

    static func make(seed: UInt64, _ options: Options = Options()) -> RangeAlertScenario {
        var random = SeededGenerator(seed: seed)
        var fences: [FenceDefinition] = []
        for index in 0..<options.staticFences {
            fences.append(FenceDefinition(id: "f\(index)", shape: randomShape(&random, allowCircle: true)))
        }
        let spec = RangeAlertSpec(fences: fences, detect: options.detect, forgetAfter: options.forgetAfter, filter: options.filter)

        // Events in event-time order first.
        var timed: [RangeAlertReference.Input] = []
        var positions: [Point] = (0..<options.objects).map { _ in randomPoint(&random) }
        var sleepUntil = [Int64](repeating: .min, count: options.objects)
        var dynamicLeft = options.dynamicFenceEvents
        var t = options.startTime
        for _ in 0..<options.events {
            t += Int64(random.int(in: 0...30))
            if dynamicLeft > 0 && random.chance(Double(options.dynamicFenceEvents) / Double(options.events)) {
                dynamicLeft -= 1
                timed.append(.polygon(randomFenceEvent(&random, t: t, staticCount: options.staticFences)))
                continue
            }
            let object = random.int(in: 0...(options.objects - 1))
            guard sleepUntil[object] <= t else { continue }
            if random.chance(0.02) { sleepUntil[object] = t + Int64(random.int(in: 2_000...12_000)) }
            positions[object] = step(from: positions[object], &random, fences: fences)
            let id = object == 0 ? oddID : "o\(object)"
            let props = randomProps(&random, object: object)
            if object < options.areaObjects {
                let geometry = areaAround(positions[object], &random)
                timed.append(.polygon(PolygonEvent(id: id, t: t, geometry: geometry, role: .object, props: props)))
            } else {
                timed.append(.point(PointEvent(id: id, t: t, point: positions[object], props: props)))
            }
        }

        // Arrival order: each event delayed by up to the lateness, so none is ever late.
        let arrival = timed.map { ($0, $0.t + Int64(random.int(in: 0...Int(options.lateness)))) }
            .enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map(\.element.0)

        var steps: [Step] = []
        var maxSeen = Int64.min
        var lastWatermark = Int64.min
        var cursor = 0
        while cursor < arrival.count {
            let batch = arrival[cursor..<min(arrival.count, cursor + random.int(in: 1...40))]
            cursor += batch.count
            var run: [RangeAlertReference.Input] = []
            func flush() {
                guard let first = run.first else { return }
                if case .point = first {
                    let points = run.compactMap { if case let .point(p) = $0 { p } else { nil } }
                    steps.append(.points(points, halo: false))
                    if random.chance(0.2) { steps.append(.points(points.map { Self.jiggled($0) }, halo: true)) }
                } else {
                    steps.append(.polygons(run.compactMap { if case let .polygon(p) = $0 { p } else { nil } }))
                }
                run = []
            }
            for input in batch {
                let isPoint = if case .point = input { true } else { false }
                let runIsPoint = run.first.map { if case .point = $0 { true } else { false } }
                if let runIsPoint, runIsPoint != isPoint { flush() }
                run.append(input)
                maxSeen = max(maxSeen, input.t)
            }
            flush()
            if random.chance(0.6) && maxSeen - options.lateness > lastWatermark {
                lastWatermark = maxSeen - options.lateness
                steps.append(.advance(watermark: lastWatermark))
            }
        }
        return RangeAlertScenario(spec: spec, windowSize: options.windowSize, steps: steps, inputs: arrival)
    }

    /// A halo copy that would alert differently if it were (wrongly) processed.
    static func jiggled(_ event: PointEvent) -> PointEvent {
        var copy = event
        copy.point = Point(x: area.minX, y: area.minY)
        return copy
    }

    // MARK: - Geometry

    static func randomPoint(_ random: inout SeededGenerator) -> Point {
        Point(x: random.nextDouble(in: area.minX..<area.maxX), y: random.nextDouble(in: area.minY..<area.maxY))
    }

    /// A simple star-shaped ring around `center`: vertices at increasing angles, radii in [0.5, 1]·radius.
    static func starRing(around center: Point, radius: Double, vertices: Int, _ random: inout SeededGenerator) -> [Point] {
        var ring: [Point] = []
        for k in 0..<vertices {
            let angle = (Double(k) + random.nextDouble(in: 0.1..<0.9)) / Double(vertices) * 2 * Double.pi
            let r = radius * random.nextDouble(in: 0.5..<1.0)
            ring.append(Point(x: center.x + r * cos(angle) * 1.5, y: center.y + r * sin(angle)))
        }
        ring.append(ring[0])
        return ring
    }

    static func starPolygon(around center: Point, radius: Double, _ random: inout SeededGenerator, hole: Bool) -> Polygon {
        let exterior = starRing(around: center, radius: radius, vertices: random.int(in: 3...12), &random)
        let holes = hole ? [starRing(around: center, radius: radius * 0.4, vertices: random.int(in: 3...6), &random)] : []
        return Polygon(uncheckedExterior: exterior, holes: holes)
    }

    static func randomShape(_ random: inout SeededGenerator, allowCircle: Bool) -> FenceShape {
        let center = randomPoint(&random)
        let size = random.nextDouble(in: 0.004..<0.03)
        switch random.int(in: allowCircle ? 0...3 : 2...3) {
        case 0:
            return .rect(Rect(minX: center.x - size, minY: center.y - size * 0.7, maxX: center.x + size, maxY: center.y + size * 0.7))
        case 1:
            return .circle(center: center, radiusMetres: size * 70_000)
        case 2:
            return .polygon(starPolygon(around: center, radius: size, &random, hole: random.chance(0.5)))
        default:
            let other = Point(x: center.x + size * 3.5, y: center.y)
            return .multiPolygon(MultiPolygon([
                starPolygon(around: center, radius: size, &random, hole: random.chance(0.5)),
                starPolygon(around: other, radius: size, &random, hole: false),
            ]))
        }
    }

    static func randomFenceEvent(_ random: inout SeededGenerator, t: Int64, staticCount: Int) -> PolygonEvent {
        let id = random.chance(0.5) ? "f\(random.int(in: 0...max(0, staticCount - 1)))" : "d\(random.int(in: 0...4))"
        if random.chance(0.3) {
            let geometry: Geometry? = random.chance(0.7) ? nil : .multiPolygon(MultiPolygon([]))
            return PolygonEvent(id: id, t: t, geometry: geometry, role: .fence)
        }
        let geometry: Geometry = switch randomShape(&random, allowCircle: false) {
        case let .multiPolygon(multi): .multiPolygon(multi)
        case let .polygon(polygon): .polygon(polygon)
        default: fatalError("no rect or circle asked for")
        }
        return PolygonEvent(id: id, t: t, geometry: geometry, role: .fence, props: ["source": .string("live")])
    }

    /// A step of a random walk, sometimes landing exactly on a fence's vertex or corner (boundary cases).
    static func step(from point: Point, _ random: inout SeededGenerator, fences: [FenceDefinition]) -> Point {
        if random.chance(0.04), let fence = fences.randomElement(using: &random) {
            switch fence.shape {
            case let .rect(rect): return random.chance(0.5) ? Point(x: rect.minX, y: rect.maxY) : Point(x: rect.maxX, y: (rect.minY + rect.maxY) / 2)
            case let .polygon(polygon): return polygon.exterior.randomElement(using: &random)!
            case let .multiPolygon(multi): return multi.polygons[0].holes.first?.first ?? multi.polygons[1].exterior[0]
            case let .circle(center, _): return center
            }
        }
        if random.chance(0.03) { return randomPoint(&random) }
        let x = min(area.maxX, max(area.minX, point.x + random.nextDouble(in: -0.012..<0.012)))
        let y = min(area.maxY, max(area.minY, point.y + random.nextDouble(in: -0.008..<0.008)))
        return Point(x: x, y: y)
    }

    static func areaAround(_ point: Point, _ random: inout SeededGenerator) -> Geometry {
        let size = random.nextDouble(in: 0.0005..<0.004)
        func square(_ center: Point) -> Polygon {
            Polygon(uncheckedExterior: [
                Point(x: center.x - size, y: center.y - size), Point(x: center.x + size, y: center.y - size),
                Point(x: center.x + size, y: center.y + size), Point(x: center.x - size, y: center.y + size),
                Point(x: center.x - size, y: center.y - size),
            ])
        }
        if random.chance(0.3) {
            return .multiPolygon(MultiPolygon([square(point), square(Point(x: point.x + size * 4, y: point.y))]))
        }
        return .polygon(square(point))
    }

    static func randomProps(_ random: inout SeededGenerator, object: Int) -> JSONObject {
        var props: JSONObject = ["type": .string(random.chance(0.6) ? "truck" : "car"), "n": .integer(Int64(random.int(in: -5...1_000)))]
        if random.chance(0.3) { props["speed"] = .double(random.nextDouble(in: 0..<40)) }
        if random.chance(0.1) { props["note"] = .string("tab\there \"q\" é") }
        if random.chance(0.1) { props["tags"] = .array([.bool(true), .null, .object(["k": .integer(1)])]) }
        return props
    }
}

/// Deterministic object-to-instance assignment (FNV-1a of the id), as a by-id router would do.
func instanceIndex(of id: String, count: Int) -> Int {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return Int(hash % UInt64(count))
}
