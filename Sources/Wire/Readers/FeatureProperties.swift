/// A Feature's `properties` as read, with the members that may supply id, time or role held apart.
///
/// Which of those members the reader consumes is known only after the geometry, so each is kept
/// out of `members` with its position and put back by `object()` unless removed: a Feature whose
/// `properties` hold only id and time builds no member array at all. Lookup keeps the last of
/// duplicate keys and removal drops them all, as `JSONObject` does. Beyond `heldLimit` held
/// members, or when the role property shares a name with the others or is not ASCII (where
/// String equality is not byte equality), everything stays in `members` and keys are compared as
/// Strings, exactly as before.
struct FeatureProperties {
    enum Kind: Int {
        case id, t, time, timestamp, role
    }

    private struct Held {
        var kind: Kind
        /// How many ordinary members came before it.
        var position: Int
        var value: JSONValue
    }

    static let heldLimit = 4

    let roleProperty: String
    private(set) var members: [JSONMember] = []
    private var held0: Held?
    private var held1: Held?
    private var held2: Held?
    private var held3: Held?
    private var heldCount = 0
    /// Bit per `Kind` removed.
    private var removed = 0
    /// Bit per `Kind` held.
    private var heldKinds = 0
    /// True once everything goes to `members` (see the type's note).
    private var spilled: Bool

    init(roleProperty: String, generic: Bool) {
        self.roleProperty = roleProperty
        self.spilled = generic
    }

    func name(of kind: Kind) -> String {
        switch kind {
        case .id: return "id"
        case .t: return "t"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .role: return roleProperty
        }
    }

    /// Appends a member read from input; `kind` says whether its key is one of the held names.
    mutating func append(_ key: JSONKey, kind: Kind?, _ value: JSONValue) {
        guard let kind, !spilled, key.decoded == nil else {
            // An escaped key keeps its own spelling: held members are re-made from their names.
            if kind != nil { spill() }
            members.append(JSONMember(key.string, value))
            return
        }
        guard heldCount < Self.heldLimit else {
            spill()
            members.append(JSONMember(name(of: kind), value))
            return
        }
        let held = Held(kind: kind, position: members.count, value: value)
        switch heldCount {
        case 0: held0 = held
        case 1: held1 = held
        case 2: held2 = held
        default: held3 = held
        }
        heldCount += 1
        heldKinds |= 1 << kind.rawValue
    }

    /// The last value under `kind`'s name, nil when absent or removed.
    func value(of kind: Kind) -> JSONValue? {
        if spilled {
            let key = name(of: kind)
            return members.last { $0.key == key }?.value
        }
        guard (heldKinds & ~removed) & (1 << kind.rawValue) != 0 else { return nil }
        for slot in stride(from: heldCount - 1, through: 0, by: -1) {
            if let held = self.held(slot), held.kind == kind { return held.value }
        }
        return nil
    }

    /// Drops every member under `kind`'s name.
    mutating func remove(_ kind: Kind) {
        if spilled {
            let key = name(of: kind)
            members.removeAll { $0.key == key }
        } else {
            removed |= 1 << kind.rawValue
        }
    }

    /// The members left, in input order (held ones are put back: call it once, after the lookups).
    mutating func object() -> JSONObject {
        spill()
        return JSONObject(members)
    }

    private func held(_ slot: Int) -> Held? {
        switch slot {
        case 0: return held0
        case 1: return held1
        case 2: return held2
        default: return held3
        }
    }

    /// Puts the held members not removed back where they were, and holds no more.
    private mutating func spill() {
        guard !spilled else { return }
        spilled = true
        var inserted = 0
        for slot in 0..<heldCount {
            guard let held = held(slot), removed & (1 << held.kind.rawValue) == 0 else { continue }
            members.insert(JSONMember(name(of: held.kind), held.value), at: held.position + inserted)
            inserted += 1
        }
        held0 = nil; held1 = nil; held2 = nil; held3 = nil
        heldCount = 0
        heldKinds = 0
    }
}
