import GeoCore
public import Wire

/// Geofence alerts (topic `alerts`): `enter`, `exit`, `inside`, `outside` and `cross` of objects
/// against static and dynamic fences, by event time. Semantics in full: docs/range-alert.md.
///
/// - Order: `apply` only queues events; `advance` processes the events with `t < watermark` in
///   `EventTimeQueue` order (final by then: nothing earlier can still arrive), so each object's
///   positions are seen in event-time order and a fence update applies from its own time on.
///   `finish` processes everything left, as if the watermark went to +∞.
/// - Per object (keyed by id; the runtime partitions the stage by id): last position, time, props
///   and the fences it is inside. Positions whose props do not match `spec.filter` are skipped as
///   if never sent (the object keeps its state and can still be forgotten).
/// - Forget-after: an object with no position for `forgetAfter` ms is dropped at
///   `t = last + forgetAfter` with an `exit` from each fence it was inside. Expiries interleave
///   with events by time (an expiry at `e` comes before events with `t ≥ e`) and are emitted once
///   the watermark reaches `e`. A result's `t` is its event's or expiry's time, so the results of an
///   `advance` lie in [previous watermark, new watermark]; `t` equals the previous watermark only for
///   an event at exactly that time, which the source still accepts (late is `t <` watermark) and the
///   publisher has not released yet (it releases `t <` watermark).
/// - Dynamic fences: a fence-role `PolygonEvent` adds or replaces the fence with its id; with no
///   geometry (or an empty MultiPolygon) it removes it, and every object inside gets an `exit` at the
///   removal's time, at its last position. A replaced fence is re-evaluated for an object at its
///   next position. Fence events apply whatever their halo flag (fences are broadcast); halo copies
///   of positions are ignored (an object belongs to one worker).
/// - Output depends only on each object's own events and the fences, never on the worker count.
///
/// - Warning: a value type with no internal locking; one instance per worker thread.
public struct RangeAlertOperator: StreamOperator {
    public static let topic = "alerts"

    public let spec: RangeAlertSpec
    /// ms without a position after which an object is forgotten (the spec's, or the window size).
    public let forgetAfter: Int64
    public internal(set) var fences: FenceIndex

    var objects = TrackedObjects()
    var expiries = ExpiryHeap()
    var queue = EventTimeQueue()
    /// Objects currently inside each fence slot, so removing an empty fence scans no object.
    var membersPerFence: [Int32]
    /// Every event with `t` below this (and every expiry at or below it) has been processed.
    private(set) var processedThrough = Int64.min

    // Scratch reused from event to event, so the common case allocates nothing.
    var ready: [EventTimeQueue.Event] = []
    var currentScratch: [FenceIndex.Slot] = []
    var crossingScratch: [FenceIndex.Slot] = []

    let detectsEnter: Bool, detectsExit: Bool, detectsInside: Bool, detectsOutside: Bool, detectsCross: Bool

    /// Positions skipped because their props did not match `spec.filter`.
    public internal(set) var filteredEvents = 0
    /// Halo copies of positions, ignored (by-id partitioning sends none).
    public internal(set) var ignoredHaloEvents = 0
    /// Events that cannot be used: object polygons without geometry, fence events with a point geometry.
    public internal(set) var ignoredEvents = 0

    /// Objects tracked plus events waiting for the watermark.
    public var retainedEvents: Int { objects.count + queue.count }
    /// Objects currently tracked.
    public var trackedObjects: Int { objects.count }

    /// - Precondition: the forget-after time (the spec's, or `clock.size`) is positive.
    public init(spec: RangeAlertSpec, clock: WindowClock) {
        let forgetAfter = spec.forgetAfter ?? clock.size
        precondition(forgetAfter > 0, "range-alert forget-after \(forgetAfter) ms must be positive")
        self.spec = spec
        self.forgetAfter = forgetAfter
        self.fences = FenceIndex(fences: spec.fences)
        self.membersPerFence = Array(repeating: 0, count: fences.slotLimit)
        detectsEnter = spec.detect.contains(.enter)
        detectsExit = spec.detect.contains(.exit)
        detectsInside = spec.detect.contains(.inside)
        detectsOutside = spec.detect.contains(.outside)
        detectsCross = spec.detect.contains(.cross)
    }

    public mutating func apply(points: [PointEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {
        if halo {
            ignoredHaloEvents += points.count
            return
        }
        queue.append(points: points, halo: false)
    }

    public mutating func apply(polygons: [PolygonEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {
        queue.append(polygons: polygons, halo: halo)
    }

    public mutating func advance(clock: WindowClock, into results: inout [OperatorOutput]) {
        process(through: clock.watermark, into: &results)
    }

    public mutating func finish(clock: WindowClock, into results: inout [OperatorOutput]) {
        process(through: .max, into: &results)
    }

    // MARK: - Time

    /// Processes queued events with `t < watermark` and expiries at or before `watermark`, in time order.
    private mutating func process(through watermark: Int64, into results: inout [OperatorOutput]) {
        guard watermark > processedThrough else { return }
        var events = ready
        ready = []
        events.removeAll(keepingCapacity: true)
        queue.drain(before: watermark, into: &events)
        for event in events {
            expire(through: event.t, into: &results)
            switch event {
            case let .point(point, halo):
                if halo { ignoredHaloEvents += 1 } else { observe(id: point.id, t: point.t, point: point.point, geometry: nil, props: point.props, into: &results) }
            case let .polygon(polygon, halo):
                if polygon.role == .fence {
                    updateFence(polygon, into: &results)
                } else if halo {
                    ignoredHaloEvents += 1
                } else if let geometry = polygon.geometry, case .point = geometry {
                    ignoredEvents += 1
                } else if let geometry = polygon.geometry {
                    observe(id: polygon.id, t: polygon.t, point: geometry.bounds.center, geometry: geometry, props: polygon.props, into: &results)
                } else {
                    ignoredEvents += 1
                }
            }
        }
        events.removeAll(keepingCapacity: true)
        ready = events
        expire(through: watermark, into: &results)
        processedThrough = watermark
    }

    /// Forgets every object whose expiry is at or before `time`, earliest first.
    private mutating func expire(through time: Int64, into results: inout [OperatorOutput]) {
        while !expiries.isEmpty && expiries.earliest <= time {
            let (due, slot) = expiries.pop()
            let expiry = Self.saturatingAdd(objects.states[slot].lastT, forgetAfter)
            if expiry > due {
                // Seen since this entry was queued: queue its current expiry instead.
                expiries.push(expiry, slot: slot)
                continue
            }
            let membership = objects.states[slot].inside
            membership.forEach { fence in
                if detectsExit { emitAtLastPosition(.exit, fence: fence, object: slot, t: due, into: &results) }
                membersPerFence[Int(fence)] -= 1
            }
            objects.remove(slot: slot)
        }
    }

    static func saturatingAdd(_ time: Int64, _ amount: Int64) -> Int64 {
        let sum = time.addingReportingOverflow(amount)
        return sum.overflow ? .max : sum.partialValue
    }

    // MARK: - Fences

    private mutating func updateFence(_ event: PolygonEvent, into results: inout [OperatorOutput]) {
        let shape: FenceShape
        switch event.geometry {
        case nil:
            removeFence(id: event.id, t: event.t, into: &results)
            return
        case let .multiPolygon(multi) where multi.polygons.isEmpty:
            removeFence(id: event.id, t: event.t, into: &results)
            return
        case .point:
            ignoredEvents += 1
            return
        case let .polygon(polygon): shape = .polygon(polygon)
        case let .multiPolygon(multi): shape = .multiPolygon(multi)
        }
        guard let slot = fences.insertOrReplace(FenceDefinition(id: event.id, shape: shape, props: event.props)) else {
            ignoredEvents += 1
            return
        }
        while membersPerFence.count <= Int(slot) { membersPerFence.append(0) }
    }

    /// Removes the fence; every object inside it exits at `t`, at its last position.
    private mutating func removeFence(id: String, t: Int64, into results: inout [OperatorOutput]) {
        guard let slot = fences.slot(of: id) else { return }
        if membersPerFence[Int(slot)] > 0 {
            for object in objects.slotsSortedByID() where objects.states[object].inside.remove(slot) {
                if detectsExit { emitAtLastPosition(.exit, fence: slot, object: object, t: t, into: &results) }
                if objects.states[object].inside.isEmpty { objects.lastProps[object] = JSONObject() }
            }
            membersPerFence[Int(slot)] = 0
        }
        fences.remove(id: id)
    }
}
