public import Wire

extension JSONText {
    /// Any props value, in the form `JSONWriter` (Runtime) gives it: members in their stored
    /// order, doubles in their shortest round-tripping form. Reading the text back with
    /// `JSONValue(parsing:)` gives an equal value, which is what lets the nearby publisher copy an
    /// object's props from a worker's observation into its alerts unchanged.
    public mutating func appendValue(_ value: JSONValue) {
        switch value {
        case .null: appendRaw("null")
        case let .bool(flag): if flag { appendRaw("true") } else { appendRaw("false") }
        case let .integer(number): appendInteger(number)
        case let .double(number): appendDouble(number)
        case let .string(text): appendString(text)
        case let .array(items):
            appendRaw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { appendRaw(",") }
                appendValue(item)
            }
            appendRaw("]")
        case let .object(object): appendObject(object)
        }
    }

    public mutating func appendObject(_ object: JSONObject) {
        appendRaw("{")
        for (index, member) in object.members.enumerated() {
            if index > 0 { appendRaw(",") }
            appendString(member.key)
            appendRaw(":")
            appendValue(member.value)
        }
        appendRaw("}")
    }
}
