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

    /// What is sorted: 16 bytes per event, so a sort moves keys rather than events. The event itself
    /// stays where it was appended (`points` or `polygons`, at `index`); equal keys keep arrival order
    /// because the sort is stable and keys are appended in arrival order.
    private struct Key: Sendable {
        var t: Int64
        var index: UInt32
        /// 0 fence polygon, 1 object polygon, 2 point.
        var rank: UInt8
        var halo: Bool
    }

    private var keys: [Key] = []
    private var points: [PointEvent] = []
    private var polygons: [PolygonEvent] = []
    /// True while `keys` is known to be in order (appends in order keep it so).
    private var sorted = true

    public init() {}

    /// Events held, waiting for the watermark.
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public mutating func append(points batch: [PointEvent], halo: Bool) {
        keys.reserveCapacity(keys.count + batch.count)
        for point in batch {
            append(Key(t: point.t, index: UInt32(points.count), rank: 2, halo: halo), id: point.id)
            points.append(point)
        }
    }

    public mutating func append(polygons batch: [PolygonEvent], halo: Bool) {
        for polygon in batch {
            append(Key(t: polygon.t, index: UInt32(polygons.count), rank: polygon.role == .fence ? 0 : 1, halo: halo), id: polygon.id)
            polygons.append(polygon)
        }
    }

    private mutating func append(_ key: Key, id: String) {
        if sorted, let last = keys.last {
            if last.t > key.t || (last.t == key.t && (last.rank > key.rank || (last.rank == key.rank && self.id(of: last) > id))) {
                sorted = false
            }
        }
        keys.append(key)
    }

    private func id(of key: Key) -> String {
        key.rank == 2 ? points[Int(key.index)].id : polygons[Int(key.index)].id
    }

    /// Moves every event with `t < watermark` into `ready`, in order. `Int64.max` drains everything
    /// (end of stream).
    public mutating func drain(before watermark: Int64, into ready: inout [Event]) {
        guard !keys.isEmpty else { return }
        if !sorted {
            // Stable: equal (t, rank, id) keep arrival order.
            let points = self.points, polygons = self.polygons
            keys.sort { left, right in
                if left.t != right.t { return left.t < right.t }
                if left.rank != right.rank { return left.rank < right.rank }
                let leftID = left.rank == 2 ? points[Int(left.index)].id : polygons[Int(left.index)].id
                let rightID = right.rank == 2 ? points[Int(right.index)].id : polygons[Int(right.index)].id
                return leftID < rightID
            }
            sorted = true
        }
        var end = keys.count
        if watermark != .max {
            // Binary search for the first key at or after the watermark.
            var low = 0
            end = keys.count
            while low < end {
                let middle = (low + end) / 2
                if keys[middle].t < watermark { low = middle + 1 } else { end = middle }
            }
            end = low
        }
        guard end > 0 else { return }
        ready.reserveCapacity(ready.count + end)
        for key in keys[0..<end] {
            if key.rank == 2 {
                ready.append(.point(points[Int(key.index)], halo: key.halo))
            } else {
                ready.append(.polygon(polygons[Int(key.index)], halo: key.halo))
            }
        }
        if end == keys.count {
            keys.removeAll(keepingCapacity: true)
            points.removeAll(keepingCapacity: true)
            polygons.removeAll(keepingCapacity: true)
            return
        }
        // Keep only the events still waiting, renumbered (usually few: those at or after the watermark).
        var keptPoints: [PointEvent] = [], keptPolygons: [PolygonEvent] = []
        var kept: [Key] = []
        kept.reserveCapacity(keys.count - end)
        for var key in keys[end...] {
            if key.rank == 2 {
                keptPoints.append(points[Int(key.index)])
                key.index = UInt32(keptPoints.count - 1)
            } else {
                keptPolygons.append(polygons[Int(key.index)])
                key.index = UInt32(keptPolygons.count - 1)
            }
            kept.append(key)
        }
        keys = kept
        points = keptPoints
        polygons = keptPolygons
    }
}
