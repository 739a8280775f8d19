import GeoCore
import SpatialIndex
import Wire

/// A worker's latest position of every object it has received (owned or halo), indexed for
/// radius queries, with the time each is forgotten.
///
/// The spatial index is our `RTree` with `update` (remove + insert at the new point): a radius
/// query is `Geodesy.boundingRect(around:radius:)` then the exact haversine test, which stays
/// correct everywhere on the globe (poles, antimeridian). A grid in a local projection would save
/// the tree descent but needs a projection per region and a cell size per distance; the R-tree
/// costs O(log n) per move and query, so per-event work grows with the neighbours found, not with
/// the number of objects held.
///
/// Expiries sit in a binary min-heap with **one entry per object**, scheduled lazily: a move only
/// raises the object's `expiresAt`; when the entry comes up with a time below that, it is pushed
/// again at the new time. Objects move far more often than they are forgotten, so this keeps the
/// heap at the number of objects and nearly all moves off it. Objects due at the same time are
/// handed out in id order (the processing order) by sorting that group alone.
struct NearbyObjectTable {
    struct Tracked {
        var id: String
        var point: Point
        var t: Int64
        var props: JSONObject
        /// The latest event was this worker's own (not a halo copy): this worker reports the
        /// object's expiry, and may skip an observation of its next move.
        var owned: Bool
        var expiresAt: Int64
    }

    private struct Expiry {
        var time: Int64
        var slot: Int32
    }

    private var slotOfID: [String: Int32] = [:]
    private var objects: [Tracked?] = []
    /// `objects[slot].point`, kept apart so radius queries test distances without copying (and
    /// retaining) the id and props of every candidate.
    private var positions: [Point] = []
    private var freeSlots: [Int32] = []
    private var tree = RTree<Int32>()
    private var expiries: [Expiry] = []
    /// Objects due at the time being expired, sorted by id, handed out from the end.
    private var dueNow: [Tracked] = []

    var count: Int { slotOfID.count }

    func object(_ id: String) -> Tracked? {
        guard let slot = slotOfID[id] else { return nil }
        return objects[Int(slot)]
    }

    /// Records the object's new latest position (inserting or moving it). `expiresAt` must not
    /// decrease for an object held (events are recorded in time order).
    mutating func record(_ tracked: Tracked) {
        if let slot = slotOfID[tracked.id] {
            let old = objects[Int(slot)]!.point
            if old != tracked.point { tree.update(slot, from: Rect(point: old), to: Rect(point: tracked.point)) }
            objects[Int(slot)] = tracked
            positions[Int(slot)] = tracked.point
            return
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(objects.count)
            objects.append(nil)
            positions.append(tracked.point)
        }
        slotOfID[tracked.id] = slot
        tree.insert(slot, bounds: Rect(point: tracked.point))
        objects[Int(slot)] = tracked
        positions[Int(slot)] = tracked.point
        pushExpiry(Expiry(time: tracked.expiresAt, slot: slot))
    }

    /// Removes and returns the object forgotten first (earliest time, then smallest id), if it is
    /// forgotten at or before `time`.
    mutating func popExpired(atOrBefore time: Int64) -> Tracked? {
        if dueNow.isEmpty {
            guard let dueTime = nextExpiryTime(), dueTime <= time else { return nil }
            // Every object due at `dueTime`, in id order (reversed, to pop from the end).
            while let first = expiries.first, first.time == dueTime {
                popExpiry()
                guard let tracked = objects[Int(first.slot)] else { continue }
                if tracked.expiresAt == dueTime {
                    dueNow.append(tracked)
                } else {
                    pushExpiry(Expiry(time: tracked.expiresAt, slot: first.slot))  // moved since: later
                }
            }
            dueNow.sort { $0.id > $1.id }
        }
        guard let gone = dueNow.popLast() else { return nil }
        remove(gone, slot: slotOfID[gone.id]!)
        return gone
    }

    /// The earliest time an object is due, rescheduling entries of objects that moved since.
    private mutating func nextExpiryTime() -> Int64? {
        while let first = expiries.first {
            guard let tracked = objects[Int(first.slot)] else {
                popExpiry()  // cannot happen: an entry leaves with its object; kept for safety
                continue
            }
            if tracked.expiresAt == first.time { return first.time }
            popExpiry()
            pushExpiry(Expiry(time: tracked.expiresAt, slot: first.slot))
        }
        return nil
    }

    /// The heap entry of the slot was just popped (the object is due), so only the tree and maps change.
    private mutating func remove(_ tracked: Tracked, slot: Int32) {
        tree.remove(slot, bounds: Rect(point: tracked.point))
        objects[Int(slot)] = nil
        slotOfID[tracked.id] = nil
        freeSlots.append(slot)
    }

    /// Visits every object other than `excluded` within `metres` (haversine) of `point`, with its
    /// distance, in no particular order; stops when `visit` returns false.
    func forEach(within metres: Double, of point: Point, excluding excluded: String, _ visit: (Tracked, Double) -> Bool) {
        let reach = Geodesy.boundingRect(around: point, radius: metres)
        tree.forEach(intersecting: reach) { _, slot in
            let distance = Geodesy.distance(point, positions[Int(slot)])
            guard distance <= metres, let tracked = objects[Int(slot)], tracked.id != excluded else { return true }
            return visit(tracked, distance)
        }
    }

    func hasAny(within metres: Double, of point: Point, excluding excluded: String) -> Bool {
        var found = false
        forEach(within: metres, of: point, excluding: excluded) { _, _ in
            found = true
            return false
        }
        return found
    }

    // MARK: Heap

    private mutating func pushExpiry(_ entry: Expiry) {
        expiries.append(entry)
        var child = expiries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard expiries[child].time < expiries[parent].time else { break }
            expiries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popExpiry() {
        let last = expiries.removeLast()
        guard !expiries.isEmpty else { return }
        expiries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < expiries.count, expiries[left].time < expiries[smallest].time { smallest = left }
            if right < expiries.count, expiries[right].time < expiries[smallest].time { smallest = right }
            if smallest == parent { return }
            expiries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension NearbyObjectTable: Sendable {}
extension NearbyObjectTable.Tracked: Sendable {}
