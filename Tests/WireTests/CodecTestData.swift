import GeoCore
import TestSupport
@testable import Wire

/// Seeded random batches that reach every corner of the codec: numeric and non-numeric ids,
/// times at the Int64 extremes, fixed-point and raw coordinates, -0.0, nested props, holes,
/// multipolygons, empty geometry.
struct CodecTestData {
    var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ p: Double) -> Bool { random.nextDouble(in: 0..<1) < p }

    static let idPool = [
        "", "0", "007", "367151850", "338346762", "123456789012345678", "1234567890123456789",
        "-5", "vessel-α", "船🚢", "a\u{0}b", "e\u{301}", "tab\tquote\"", String(repeating: "x", count: 300),
    ]

    mutating func id() -> String {
        if chance(0.5) { return Self.idPool[int(0...Self.idPool.count - 1)] }
        if chance(0.5) { return String(int(100_000_000...999_999_999)) }
        let scalars = (0..<int(0...12)).map { _ in Character(Unicode.Scalar(UInt8(int(32...126)))) }
        return String(scalars) + (chance(0.2) ? "ü" : "")
    }

    /// Times of one batch: sorted whole seconds (the AIS shape), arbitrary ms, or extremes.
    mutating func times(_ count: Int) -> [Int64] {
        switch int(0...3) {
        case 0:
            var t = Int64(int(1_500_000_000...1_700_000_000)) * 1000
            return (0..<count).map { _ in
                t += Int64(int(0...5)) * 1000
                return t
            }
        case 1:
            return (0..<count).map { _ in Int64(int(-2_000_000_000_000...2_000_000_000_000)) }
        case 2:
            let extremes: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1, -1000, 1000]
            return (0..<count).map { _ in extremes[int(0...extremes.count - 1)] }
        default:
            return (0..<count).map { _ in Int64(bitPattern: random.next()) }
        }
    }

    /// One coordinate style per batch, so fixed-point batches (of every decimal exponent) and raw ones both occur.
    mutating func coordinateStyle() -> Int { int(0...5) }

    mutating func coordinate(style: Int, limit: Double) -> Double {
        switch style {
        case 0:  // AIS-like: 5 decimals
            return Double(int(-Int(limit) * 100_000...Int(limit) * 100_000)) / 100_000
        case 1:  // 7 decimals, the finest fixed point
            return Double(int(-Int(limit) * 10_000_000...Int(limit) * 10_000_000)) / 10_000_000
        case 2:  // edges and integers
            let edges = [limit, -limit, 0, 1, -1, limit / 2]
            return edges[int(0...edges.count - 1)]
        case 3:  // not fixed point: arbitrary doubles in range
            return random.nextDouble(in: -limit..<limit)
        case 4:  // mostly fixed point with a -0.0 in it
            return chance(0.1) ? -0.0 : Double(int(-180...180)) / 10
        default:  // anything, including huge and tiny magnitudes
            let specials: [Double] = [1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 123.456e10]
            return chance(0.3) ? specials[int(0...specials.count - 1)] : random.nextDouble(in: -limit..<limit)
        }
    }

    mutating func point(style: Int) -> Point {
        Point(x: coordinate(style: style, limit: 180), y: coordinate(style: style, limit: 90))
    }

    mutating func string() -> String {
        let pieces = ["a", "é", "\"", "\\", "\n", "🚢", "\u{7F}", " ", "z", "\u{2028}"]
        return (0..<int(0...6)).map { _ in pieces[int(0...pieces.count - 1)] }.joined()
    }

    mutating func value(depth: Int) -> JSONValue {
        switch int(0...(depth > 2 ? 5 : 7)) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2:
            let extremes: [Int64] = [.min, .max, 0, -1]
            return .integer(chance(0.3) ? extremes[int(0...3)] : Int64(int(-1_000_000...1_000_000)))
        case 3:
            let doubles: [Double] = [-0.0, 0.1, 1e300, -2.5e-308, 3.141592653589793]
            return .double(chance(0.5) ? doubles[int(0...4)] : random.nextDouble(in: -1e6..<1e6))
        case 4, 5: return .string(string())
        case 6: return .array((0..<int(0...3)).map { _ in value(depth: depth + 1) })
        default: return .object(object(depth: depth + 1))
        }
    }

    mutating func object(depth: Int = 0) -> JSONObject {
        var members: [JSONMember] = []
        for _ in 0..<int(0...4) {
            members.append(JSONMember(chance(0.2) ? "dup" : string(), value(depth: depth)))
        }
        return JSONObject(members)
    }

    mutating func points(_ count: Int) -> [PointEvent] {
        let style = coordinateStyle()
        let times = times(count)
        let withProps = chance(0.4)
        let ids = (0..<int(1...8)).map { _ in id() }
        return (0..<count).map { i in
            PointEvent(
                id: chance(0.7) ? ids[int(0...ids.count - 1)] : id(), t: times[i], point: point(style: style),
                props: withProps && chance(0.7) ? object() : JSONObject())
        }
    }

    mutating func ring(style: Int) -> [Point] {
        var ring = (0..<int(3...40)).map { _ in point(style: style) }
        ring.append(ring[0])
        return ring
    }

    mutating func polygon(style: Int) -> Polygon {
        Polygon(uncheckedExterior: ring(style: style), holes: (0..<int(0...2)).map { _ in ring(style: style) })
    }

    mutating func polygons(_ count: Int) -> [PolygonEvent] {
        let style = coordinateStyle()
        let times = times(count)
        return (0..<count).map { i in
            let geometry: Geometry?
            switch int(0...4) {
            case 0: geometry = nil
            case 1, 2: geometry = .polygon(polygon(style: style))
            case 3: geometry = .multiPolygon(MultiPolygon((0..<int(0...3)).map { _ in polygon(style: style) }))
            default: geometry = .point(point(style: style))
            }
            return PolygonEvent(
                id: id(), t: times[i], geometry: geometry, role: chance(0.5) ? .fence : .object,
                props: chance(0.5) ? object() : JSONObject())
        }
    }

    mutating func results(_ count: Int) -> [ResultRecord] {
        let topics = ["alerts", "clusters", "dissolved", "stats", "rejected", ""]
        let times = times(count)
        return (0..<count).map { i in
            ResultRecord(topic: topics[int(0...topics.count - 1)], t: times[i], json: "{\"v\":\"\(string())\",\"n\":\(int(0...99))}")
        }
    }

    /// A random frame of any kind; data frames hold up to `maxRecords` records.
    mutating func frame(maxRecords: Int) -> Frame {
        let partition = UInt32(truncatingIfNeeded: random.next())
        let epoch = random.next()
        switch int(0...9) {
        case 0: return .barrier(epoch, partition: partition)
        case 1: return .watermark(Int64(bitPattern: epoch), partition: partition)
        case 2: return .end(partition: partition, epoch: epoch)
        case 3, 4, 5: return .data(.points(points(int(0...maxRecords))), partition: partition, epoch: epoch)
        case 6, 7: return .data(.polygons(polygons(int(0...maxRecords / 4))), partition: partition, epoch: epoch)
        case 8: return .data(.results(results(int(0...maxRecords))), partition: partition, epoch: epoch)
        default: return .data(.none, partition: partition, epoch: epoch)
        }
    }
}

/// Every coordinate of a payload, in order, for bit-exact comparison (Point's == treats -0.0 as 0.0).
func coordinateBits(_ payload: FramePayload) -> [UInt64] {
    func bits(_ p: Point) -> [UInt64] { [p.x.bitPattern, p.y.bitPattern] }
    func bits(_ polygon: Polygon) -> [UInt64] {
        (polygon.exterior + polygon.holes.flatMap { $0 }).flatMap { bits($0) }
    }
    switch payload {
    case .none, .results: return []
    case let .points(events): return events.flatMap { bits($0.point) }
    case let .polygons(events):
        return events.flatMap { event -> [UInt64] in
            switch event.geometry {
            case nil: return []
            case let .point(p)?: return bits(p)
            case let .polygon(p)?: return bits(p)
            case let .multiPolygon(m)?: return m.polygons.flatMap { bits($0) }
            }
        }
    }
}
