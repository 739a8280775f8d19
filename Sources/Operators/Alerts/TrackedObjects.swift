import GeoCore
import Wire

/// The fences one object is inside, as ascending fence slots.
///
/// Most objects are inside no fence or one, so the first slot is stored inline and only the rest
/// go to an array (an empty array allocates nothing).
struct FenceMembership: Sendable {
    static let none: FenceIndex.Slot = -1

    private(set) var first: FenceIndex.Slot = FenceMembership.none
    private(set) var rest: [FenceIndex.Slot] = []

    var isEmpty: Bool { first == Self.none }
    var count: Int { isEmpty ? 0 : 1 + rest.count }

    func contains(_ slot: FenceIndex.Slot) -> Bool {
        if first == slot { return true }
        if rest.isEmpty || slot < first { return false }
        return rest.contains(slot)
    }

    /// Calls `body` with every slot, ascending.
    func forEach(_ body: (FenceIndex.Slot) -> Void) {
        guard !isEmpty else { return }
        body(first)
        for slot in rest { body(slot) }
    }

    /// Replaces the content with `sorted` (ascending, distinct), reusing the array's storage.
    mutating func assign(_ sorted: [FenceIndex.Slot]) {
        guard let head = sorted.first else {
            removeAll()
            return
        }
        first = head
        if sorted.count == 1 {
            if !rest.isEmpty { rest.removeAll(keepingCapacity: true) }
        } else {
            rest.removeAll(keepingCapacity: true)
            rest.append(contentsOf: sorted[1...])
        }
    }

    /// Removes `slot` if present; returns whether it was.
    mutating func remove(_ slot: FenceIndex.Slot) -> Bool {
        if first == slot {
            if rest.isEmpty {
                first = Self.none
            } else {
                first = rest.removeFirst()
            }
            return true
        }
        guard let index = rest.firstIndex(of: slot) else { return false }
        rest.remove(at: index)
        return true
    }

    mutating func removeAll() {
        first = Self.none
        if !rest.isEmpty { rest = [] }
    }
}

/// What every position of an object reads and writes, kept together so one cache line serves it.
struct ObjectState: Sendable {
    var lastT: Int64 = .min
    /// The last position (for an area, its bounds centre).
    var lastPoint = Point(x: 0, y: 0)
    var inside = FenceMembership()
    /// The last position was an area (its geometry is in `TrackedObjects.lastGeometry`).
    var isArea = false
}

/// Per-object state of a range-alert worker, indexed by an object slot.
///
/// An object's slot comes from `slots` (keyed by id) and is reused after the object is forgotten,
/// so steady streams allocate nothing per event. The hot part (`states`) is one small struct per
/// object; ids, areas and props live in their own arrays and are touched only when needed:
/// `lastProps` is kept only while the object is inside some fence (the only time a later exit,
/// from forget-after or a fence removal, can need it), `lastGeometry` only for areas.
struct TrackedObjects: Sendable {
    private(set) var slots: [String: Int] = [:]
    private var freeSlots: [Int] = []
    var states: [ObjectState] = []
    var ids: [String] = []
    var lastGeometry: [Geometry?] = []
    var lastProps: [JSONObject] = []

    var count: Int { slots.count }

    func slot(of id: String) -> Int? { slots[id] }

    /// A slot for a newly seen object, with its state reset.
    mutating func add(id: String) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            ids[slot] = id
        } else {
            slot = ids.count
            ids.append(id)
            states.append(ObjectState())
            lastGeometry.append(nil)
            lastProps.append(JSONObject())
        }
        slots[id] = slot
        return slot
    }

    /// Forgets the object in `slot` (its slot is reused later).
    mutating func remove(slot: Int) {
        slots[ids[slot]] = nil
        ids[slot] = ""
        states[slot] = ObjectState()
        lastGeometry[slot] = nil
        lastProps[slot] = JSONObject()
        freeSlots.append(slot)
    }

    /// Live object slots in ascending id order (deterministic iteration for fence removals).
    func slotsSortedByID() -> [Int] {
        slots.sorted { $0.key < $1.key }.map(\.value)
    }
}

/// Pending forget-after expiries: a binary min-heap of (time, object slot), one entry per object.
///
/// An object's entry is not moved when it reports again (that would cost a heap update per event);
/// when an entry comes due the operator checks it against the object's latest time and pushes it
/// again with the later expiry if the object was seen since.
struct ExpiryHeap: Sendable {
    private var times: [Int64] = []
    private var objectSlots: [Int] = []

    var isEmpty: Bool { times.isEmpty }
    var count: Int { times.count }
    /// The earliest expiry time (only meaningful when not empty).
    var earliest: Int64 { times[0] }

    mutating func push(_ time: Int64, slot: Int) {
        times.append(time)
        objectSlots.append(slot)
        var child = times.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(time, slot, times[parent], objectSlots[parent]) else { break }
            times.swapAt(child, parent)
            objectSlots.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Int64, slot: Int) {
        let top = (times[0], objectSlots[0])
        let lastTime = times.removeLast(), lastSlot = objectSlots.removeLast()
        guard !times.isEmpty else { return top }
        times[0] = lastTime
        objectSlots[0] = lastSlot
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < times.count && Self.before(times[left], objectSlots[left], times[best], objectSlots[best]) { best = left }
            if right < times.count && Self.before(times[right], objectSlots[right], times[best], objectSlots[best]) { best = right }
            if best == parent { break }
            times.swapAt(parent, best)
            objectSlots.swapAt(parent, best)
            parent = best
        }
        return top
    }

    private static func before(_ leftTime: Int64, _ leftSlot: Int, _ rightTime: Int64, _ rightSlot: Int) -> Bool {
        leftTime != rightTime ? leftTime < rightTime : leftSlot < rightSlot
    }
}
