/// Event counts per cell key: an open-addressing hash table specialised for the heatmap's hot path.
///
/// `Dictionary<Int64, Int>` hashes every key with SipHash (seeded per process, built to resist
/// attacker-chosen keys) and keeps keys and values in separate arrays: two cache misses and
/// ~20 ns per event. Cell keys come from the grid, not from an attacker, so a multiplicative hash
/// and linear probing over (key, count) pairs stored side by side does the same job with one miss.
/// Keys must be non-negative (the grid's keys are); `Int64.min` marks an empty slot.
struct HeatmapCellCounts {
    struct Slot {
        var key: Int64
        var count: Int
    }

    private static let emptyKey = Int64.min
    private var slots: [Slot]
    /// 64 − log2(slots.count): the hash keeps the product's top bits, the best mixed ones.
    private var shift: UInt64
    /// Occupied slots.
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 16
        while capacity < 2 * minimumCapacity { capacity *= 2 }
        slots = Array(repeating: Slot(key: Self.emptyKey, count: 0), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    var isEmpty: Bool { count == 0 }

    /// Adds `amount` to `key`'s count, inserting the key at 0 first when absent.
    mutating func add(_ key: Int64, _ amount: Int = 1) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let slotKey = slots[index].key
            if slotKey == key {
                slots[index].count += amount
                return
            }
            if slotKey == Self.emptyKey { break }
            index = (index + 1) & mask
        }
        slots[index] = Slot(key: key, count: amount)
        count += 1
        // Keep the load at or under one half: probes stay short.
        if 2 * count > slots.count { grow() }
    }

    /// Every (key, count) pair, in no particular order.
    func forEach(_ body: (_ key: Int64, _ count: Int) -> Void) {
        for slot in slots where slot.key != Self.emptyKey { body(slot.key, slot.count) }
    }

    /// The pairs sorted by key: the order a worker emits a window's cells in.
    func sortedByKey() -> [Slot] {
        var pairs: [Slot] = []
        pairs.reserveCapacity(count)
        for slot in slots where slot.key != Self.emptyKey { pairs.append(slot) }
        pairs.sort { $0.key < $1.key }
        return pairs
    }

    /// Empties the table, keeping its slots for reuse.
    mutating func removeAll() {
        guard count > 0 else { return }
        for index in slots.indices { slots[index].key = Self.emptyKey }
        count = 0
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: Self.emptyKey, count: 0), count: old.count * 2)
        shift -= 1
        count = 0
        for slot in old where slot.key != Self.emptyKey { add(slot.key, slot.count) }
    }
}
