public import Wire

/// Holds events until the watermark passes them, then hands them out in event-time order.
///
/// Operators with per-object or per-pair state (range-alert, nearby) must see each object's
/// positions in event-time order, and a dynamic fence must apply "from its event time on", even
/// when the stream is out of order within the pipeline's lateness. Once the watermark is `W` no
/// event with `t < W` can still arrive (the source rejects it as late), so those events are final
/// and can be processed in order. Holding them costs no latency: the publisher would not release a
/// result with `t ≥ W` before the next watermark anyway.
///
/// **Order** (deterministic whatever the batching, the worker count or whether an event came as a
/// halo copy): by `t`; at equal `t` fence updates first (a fence applies to positions at its own
/// time), then object polygons, then points; then by object id; then in arrival order.
public struct EventTimeQueue: Sendable {
    public enum Event: Sendable {
        case point(PointEvent, halo: Bool)
        case polygon(PolygonEvent, halo: Bool)

        public var t: Int64 {
            switch self {
            case let .point(event, _): event.t
            case let .polygon(event, _): event.t
            }
        }
    }

    private struct Entry: Sendable {
        var t: Int64
        var rank: UInt8
        var arrival: UInt64
        var event: Event

        var id: String {
            switch event {
            case let .point(event, _): event.id
            case let .polygon(event, _): event.id
            }
        }

        static func before(_ left: Entry, _ right: Entry) -> Bool {
            if left.t != right.t { return left.t < right.t }
            if left.rank != right.rank { return left.rank < right.rank }
            let leftID = left.id, rightID = right.id
            if leftID != rightID { return leftID < rightID }
            return left.arrival < right.arrival
        }
    }

    private var entries: [Entry] = []
    private var arrivals: UInt64 = 0
    /// True while `entries` is known to be in order (appends in order keep it so).
    private var sorted = true

    public init() {}

    /// Events held, waiting for the watermark.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func append(points: [PointEvent], halo: Bool) {
        entries.reserveCapacity(entries.count + points.count)
        for point in points { append(Entry(t: point.t, rank: 2, arrival: 0, event: .point(point, halo: halo))) }
    }

    public mutating func append(polygons: [PolygonEvent], halo: Bool) {
        for polygon in polygons {
            append(Entry(t: polygon.t, rank: polygon.role == .fence ? 0 : 1, arrival: 0, event: .polygon(polygon, halo: halo)))
        }
    }

    private mutating func append(_ entry: Entry) {
        var entry = entry
        arrivals += 1
        entry.arrival = arrivals
        if sorted, let last = entries.last, !Entry.before(last, entry) { sorted = false }
        entries.append(entry)
    }

    /// Moves every event with `t < watermark` into `ready`, in order. `Int64.max` drains everything
    /// (end of stream).
    public mutating func drain(before watermark: Int64, into ready: inout [Event]) {
        guard !entries.isEmpty else { return }
        if !sorted {
            entries.sort(by: Entry.before)
            sorted = true
        }
        var end = 0
        if watermark == .max {
            end = entries.count
        } else {
            // Binary search for the first entry at or after the watermark.
            var high = entries.count
            while end < high {
                let middle = (end + high) / 2
                if entries[middle].t < watermark { end = middle + 1 } else { high = middle }
            }
        }
        guard end > 0 else { return }
        ready.reserveCapacity(ready.count + end)
        for index in 0..<end { ready.append(entries[index].event) }
        entries.removeFirst(end)
    }
}
