public import Wire

/// Roaming fences: `nearby` when two objects' latest positions come within `spec.distance` metres
/// of each other, `faraway` when they separate or one is forgotten (topic `alerts`). Semantics,
/// the routing it relies on and why each pair is reported once whatever the worker count:
/// `docs/nearby.md`.
///
/// Work is split in two:
/// - **Workers** (`apply`, `advance`, `finish`) process their events in `EventTimeQueue` order
///   once the watermark passes them, keep the latest position of every object they received in
///   a `NearbyObjectTable`, and for each event they own emit an *observation* (the object's
///   position and every object within the distance, or that it was forgotten) unless it provably
///   changes no pair.
/// - **The publisher** (`combine`) keeps the set of near pairs and turns observations, applied in
///   a worker-independent order, into `nearby` / `faraway` alerts.
///
/// Only point events take part, and only those whose props match `spec.filter` (the router does
/// not even deliver the others to a nearby stage). Polygon events are ignored. At equal event
/// time an object's later event (input order) replaces its earlier ones: one position per instant.
///
/// - Warning: a value type with no internal locking; one instance per worker thread.
public struct NearbyOperator: StreamOperator {
    public let spec: NearbySpec
    /// ms without a position after which an object is forgotten (the spec's, or the window size).
    public let forgetAfter: Int64

    private var queue = EventTimeQueue()
    private var table = NearbyObjectTable()
    private var ready: [EventTimeQueue.Event] = []
    /// Publisher side (`combine`): the current near pairs.
    var pairs = NearbyPairs()

    public static let topic = "alerts"

    /// - Precondition: `spec.distance` is finite and ≥ 0, and the forget time (`spec.forgetAfter`,
    ///   else `clock.size`) is positive.
    public init(spec: NearbySpec, clock: WindowClock) {
        let forgetAfter = spec.forgetAfter ?? clock.size
        precondition(spec.distance.isFinite && spec.distance >= 0, "nearby distance \(spec.distance) m must be finite and not negative")
        precondition(forgetAfter > 0, "nearby forget-after \(forgetAfter) ms must be positive")
        self.spec = spec
        self.forgetAfter = forgetAfter
    }

    /// Objects held (latest positions) plus events waiting for the watermark.
    public var retainedEvents: Int { table.count + queue.count }

    public var combineOrdersOutput: Bool { true }

    public mutating func apply(points: [PointEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {
        if spec.filter.isEmpty {
            queue.append(points: points, halo: halo)
        } else {
            queue.append(points: points.filter { spec.filter.matches($0.props) }, halo: halo)
        }
    }

    public mutating func apply(polygons: [PolygonEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {}

    public mutating func advance(clock: WindowClock, into results: inout [OperatorOutput]) {
        process(before: clock.watermark, into: &results)
    }

    /// As if the watermark went to +∞: every held event is processed, then every object is
    /// forgotten at its time, ending all its pairs.
    public mutating func finish(clock: WindowClock, into results: inout [OperatorOutput]) {
        process(before: .max, into: &results)
    }

    private mutating func process(before watermark: Int64, into results: inout [OperatorOutput]) {
        guard watermark > .min else { return }
        ready.removeAll(keepingCapacity: true)
        queue.drain(before: watermark, into: &ready)
        for index in ready.indices {
            guard case let .point(event, halo) = ready[index] else { continue }
            // Same object, same time, later in input order: that one is the position at `t`.
            if index + 1 < ready.count, case let .point(next, _) = ready[index + 1], next.t == event.t, next.id == event.id {
                continue
            }
            // An object forgotten at t is no longer live for an event at t.
            expire(atOrBefore: event.t, into: &results)
            move(event, halo: halo, into: &results)
        }
        // Every event before the watermark is processed: expiries before it are final.
        expire(atOrBefore: watermark == .max ? .max : watermark - 1, into: &results)
    }

    private mutating func move(_ event: PointEvent, halo: Bool, into results: inout [OperatorOutput]) {
        let (sum, overflow) = event.t.addingReportingOverflow(forgetAfter)
        let moved = NearbyObjectTable.Tracked(id: event.id, point: event.point, t: event.t, props: event.props,
                                              owned: !halo, expiresAt: overflow ? .max : sum)
        guard !halo else {
            table.record(moved)
            return
        }
        // Silent only when the publisher provably holds no pair of the object before or after:
        // its previous event was ours (so it was the object's immediately previous one and every
        // object near it reached us) and nothing was near it then, nor is now.
        var silent = false
        if let previous = table.object(event.id), previous.owned {
            silent = !table.hasAny(within: spec.distance, of: previous.point, excluding: event.id)
        }
        table.record(moved)
        var partners: [NearbyObservation.Partner] = []
        table.forEach(within: spec.distance, of: event.point, excluding: event.id) { other, _ in
            partners.append(NearbyObservation.Partner(id: other.id, point: other.point))
            return true
        }
        if silent && partners.isEmpty { return }
        partners.sort { $0.id < $1.id }
        results.append(NearbyObservation(t: event.t, object: event.id, point: event.point, props: event.props,
                                         kind: .moved(partners: partners)).output)
    }

    /// Forgets every object whose time is up by `time`; the worker owning an object's latest event
    /// reports it when something is near (otherwise the object has no pair to end).
    private mutating func expire(atOrBefore time: Int64, into results: inout [OperatorOutput]) {
        while let gone = table.popExpired(atOrBefore: time) {
            guard gone.owned, table.hasAny(within: spec.distance, of: gone.point, excluding: gone.id) else { continue }
            results.append(NearbyObservation(t: gone.expiresAt, object: gone.id, point: gone.point, props: gone.props,
                                             kind: .forgotten).output)
        }
    }
}
