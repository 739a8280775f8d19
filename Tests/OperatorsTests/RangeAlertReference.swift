import Foundation
import GeoCore
import Operators
import Wire

/// The range-alert semantics written as plainly as possible: no R-tree, no incremental state beyond
/// what the semantics name (each object's last position and the fences it is inside). For each
/// event in event-time order, every fence is tested directly; forgotten objects are found by
/// scanning every object.
struct RangeAlertReference {
    let spec: RangeAlertSpec
    let forgetAfter: Int64

    struct Object {
        var t: Int64
        var point: Point
        var geometry: Geometry?
        var props: JSONObject
        var inside: Set<String>
    }

    enum Input {
        case point(PointEvent)
        case polygon(PolygonEvent)

        var t: Int64 {
            switch self {
            case let .point(event): event.t
            case let .polygon(event): event.t
            }
        }

        var id: String {
            switch self {
            case let .point(event): event.id
            case let .polygon(event): event.id
            }
        }

        /// Fence updates first at equal times, then object polygons, then points.
        var rank: Int {
            switch self {
            case .point: 2
            case let .polygon(event): event.role == .fence ? 0 : 1
            }
        }
    }

    init(spec: RangeAlertSpec, windowSize: Int64) {
        self.spec = spec
        self.forgetAfter = spec.forgetAfter ?? windowSize
    }

    /// Every alert of the whole stream (inputs in arrival order, halo copies already left out),
    /// including the expiries after the last event, as `finish` reports them.
    func run(_ inputs: [Input]) -> [OperatorOutput] {
        let ordered = inputs.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.t != b.t { return a.t < b.t }
            if a.rank != b.rank { return a.rank < b.rank }
            if a.id != b.id { return a.id < b.id }
            return left.offset < right.offset
        }.map(\.element)

        var fences: [String: FenceShape] = [:]
        for fence in spec.fences { fences[fence.id] = fence.shape }
        var objects: [String: Object] = [:]
        var out: [OperatorOutput] = []

        func alert(_ kind: AlertKind, _ fence: String, _ id: String, _ object: Object, _ t: Int64) {
            guard spec.detect.contains(kind) else { return }
            out.append(OperatorOutput(topic: "alerts", t: t, json: Self.render(kind, fence, id, object)))
        }

        func forget(before time: Int64, inclusive: Bool) {
            while true {
                let due = objects.filter { _, object in
                    let expiry = object.t + forgetAfter
                    return inclusive ? expiry <= time : expiry < time
                }
                guard let (id, object) = due.min(by: { ($0.value.t, $0.key) < ($1.value.t, $1.key) }) else { return }
                for fence in object.inside.sorted() { alert(.exit, fence, id, object, object.t + forgetAfter) }
                objects[id] = nil
            }
        }

        for input in ordered {
            forget(before: input.t, inclusive: true)
            var geometry: Geometry?
            var point: Point
            let props: JSONObject
            switch input {
            case let .polygon(event) where event.role == .fence:
                var removal = event.geometry == nil
                if case let .multiPolygon(multi) = event.geometry, multi.polygons.isEmpty { removal = true }
                if removal {
                    guard fences[event.id] != nil else { continue }
                    fences[event.id] = nil
                    for id in objects.keys.sorted() where objects[id]!.inside.contains(event.id) {
                        objects[id]!.inside.remove(event.id)
                        alert(.exit, event.id, id, objects[id]!, event.t)
                    }
                } else if case let .polygon(polygon) = event.geometry {
                    fences[event.id] = .polygon(polygon)
                } else if case let .multiPolygon(multi) = event.geometry {
                    fences[event.id] = .multiPolygon(multi)
                }
                continue
            case let .polygon(event):
                guard let area = event.geometry else { continue }
                geometry = area
                point = Point(x: (area.bounds.minX + area.bounds.maxX) / 2, y: (area.bounds.minY + area.bounds.maxY) / 2)
                props = event.props
            case let .point(event):
                point = event.point
                props = event.props
            }
            guard spec.filter.required.allSatisfy({ props[$0.key] == $0.value }) else { continue }

            let id = input.id
            let before = objects[id]
            var now = Set<String>()
            for (fenceID, shape) in fences {
                let hit = geometry.map { Self.intersects(shape, $0) } ?? Self.contains(shape, point)
                if hit { now.insert(fenceID) }
            }
            let was = before?.inside ?? []
            let object = Object(t: input.t, point: point, geometry: geometry, props: props, inside: now)
            objects[id] = object
            for fence in was.subtracting(now) { alert(.exit, fence, id, object, input.t) }
            for fence in now.subtracting(was) { alert(.enter, fence, id, object, input.t) }
            for fence in now { alert(.inside, fence, id, object, input.t) }
            for fence in fences.keys where !now.contains(fence) { alert(.outside, fence, id, object, input.t) }
            if geometry == nil, let before, before.geometry == nil {
                for (fenceID, shape) in fences where !was.contains(fenceID) && !now.contains(fenceID)
                    && !Self.contains(shape, before.point) && Self.touches(shape, before.point, point) {
                    alert(.cross, fenceID, id, object, input.t)
                }
            }
        }
        forget(before: .max, inclusive: true)
        return out
    }

    // MARK: - Predicates, written out per shape

    static func contains(_ shape: FenceShape, _ point: Point) -> Bool {
        switch shape {
        case let .rect(rect):
            return rect.minX <= point.x && point.x <= rect.maxX && rect.minY <= point.y && point.y <= rect.maxY
        case let .circle(center, radius):
            return Geodesy.distance(center, point) <= radius
        case let .polygon(polygon):
            return polygon.contains(point)
        case let .multiPolygon(multi):
            return multi.polygons.contains { $0.contains(point) }
        }
    }

    static func touches(_ shape: FenceShape, _ a: Point, _ b: Point) -> Bool {
        switch shape {
        case let .rect(rect):
            return rectPolygon(rect).intersects(Segment(a, b))
        case let .circle(center, radius):
            return projectedDistance(from: center, toSegment: a, b) <= radius
        case let .polygon(polygon):
            return polygon.intersects(Segment(a, b))
        case let .multiPolygon(multi):
            return multi.polygons.contains { $0.intersects(Segment(a, b)) }
        }
    }

    static func intersects(_ shape: FenceShape, _ area: Geometry) -> Bool {
        let parts: [Polygon]
        switch area {
        case let .point(point): return contains(shape, point)
        case let .polygon(polygon): parts = [polygon]
        case let .multiPolygon(multi): parts = multi.polygons
        }
        return parts.contains { part in
            switch shape {
            case let .rect(rect): return part.intersects(rectPolygon(rect))
            case let .polygon(polygon): return part.intersects(polygon)
            case let .multiPolygon(multi): return multi.polygons.contains { part.intersects($0) }
            case let .circle(center, radius):
                if part.contains(center) { return true }
                for ring in [part.exterior] + part.holes {
                    for index in 1..<ring.count where projectedDistance(from: center, toSegment: ring[index - 1], ring[index]) <= radius {
                        return true
                    }
                }
                return false
            }
        }
    }

    static func rectPolygon(_ rect: Rect) -> Polygon {
        Polygon(uncheckedExterior: [
            Point(x: rect.minX, y: rect.minY), Point(x: rect.maxX, y: rect.minY), Point(x: rect.maxX, y: rect.maxY),
            Point(x: rect.minX, y: rect.maxY), Point(x: rect.minX, y: rect.minY),
        ])
    }

    /// Metres from `center` to the segment, in the local equirectangular projection at `center`.
    static func projectedDistance(from center: Point, toSegment a: Point, _ b: Point) -> Double {
        let projection = LocalProjection(origin: center)
        let p = projection.project(a), q = projection.project(b)
        let dx = q.x - p.x, dy = q.y - p.y
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? min(1, max(0, -(p.x * dx + p.y * dy) / length2)) : 0
        let x = p.x + t * dx, y = p.y + t * dy
        return (x * x + y * y).squareRoot()
    }

    // MARK: - Output

    static func render(_ kind: AlertKind, _ fence: String, _ id: String, _ object: Object) -> String {
        var text = "{\"kind\":\"\(kind.rawValue)\",\"fence\":\(quoted(fence)),\"object\":\(quoted(id))"
        text += ",\"lon\":\(object.point.x.description),\"lat\":\(object.point.y.description),\"props\":\(render(.object(object.props)))"
        if let geometry = object.geometry {
            text += ",\"geometry\":" + geoJSON(geometry)
        }
        return text + "}"
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case let .bool(flag): flag ? "true" : "false"
        case let .integer(number): String(number)
        case let .double(number): number.description
        case let .string(text): quoted(text)
        case let .array(items): "[" + items.map(render).joined(separator: ",") + "]"
        case let .object(object): "{" + object.members.map { quoted($0.key) + ":" + render($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func geoJSON(_ geometry: Geometry) -> String {
        func ring(_ points: [Point]) -> String { "[" + points.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]" }
        func rings(_ polygon: Polygon) -> String { "[" + ([polygon.exterior] + polygon.holes).map(ring).joined(separator: ",") + "]" }
        switch geometry {
        case let .point(point): return "{\"type\":\"Point\",\"coordinates\":[\(point.x),\(point.y)]}"
        case let .polygon(polygon): return "{\"type\":\"Polygon\",\"coordinates\":\(rings(polygon))}"
        case let .multiPolygon(multi):
            return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + multi.polygons.map(rings).joined(separator: ",") + "]}"
        }
    }
}

/// Both lists in the publisher's order: by release time, then JSON text.
func publisherOrder(_ outputs: [OperatorOutput]) -> [OperatorOutput] {
    outputs.sorted { ($0.t, $0.json) < ($1.t, $1.json) }
}
