/// A compact binary form of `props` (JSONObject) that round-trips every value exactly: integers
/// as zigzag varints, doubles as their IEEE bits (so -0.0 and even non-finite values survive),
/// member order and duplicate keys kept.
///
/// Chosen over JSON text because it needs no number formatting or parsing and cannot be ambiguous;
/// layout in docs/wire-format.md.
enum PropsCoding {
    enum Tag: UInt8 {
        case null = 0, falseValue, trueValue, integer, double, string, array, object
    }

    /// One byte 0 when every object is empty; else 1 and each object in turn.
    static func writeColumn(_ objects: some Collection<JSONObject>, into writer: inout ByteWriter) {
        guard objects.contains(where: { !$0.isEmpty }) else {
            writer.append(0)
            return
        }
        writer.append(1)
        for object in objects { writeObject(object, into: &writer) }
    }

    /// Member count, then per member the key (varint length, UTF-8) and the value.
    static func writeObject(_ object: JSONObject, into writer: inout ByteWriter) {
        writer.appendVarint(UInt64(object.members.count))
        for member in object.members {
            writer.appendString(member.key)
            writeValue(member.value, into: &writer)
        }
    }

    static func writeValue(_ value: JSONValue, into writer: inout ByteWriter) {
        switch value {
        case .null:
            writer.append(Tag.null.rawValue)
        case let .bool(flag):
            writer.append(flag ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case let .integer(integer):
            writer.append(Tag.integer.rawValue)
            writer.appendVarint(Zigzag.encode(integer))
        case let .double(double):
            writer.append(Tag.double.rawValue)
            writer.appendUInt64(double.bitPattern)
        case let .string(string):
            writer.append(Tag.string.rawValue)
            writer.appendString(string)
        case let .array(elements):
            writer.append(Tag.array.rawValue)
            writer.appendVarint(UInt64(elements.count))
            for element in elements { writeValue(element, into: &writer) }
        case let .object(object):
            writer.append(Tag.object.rawValue)
            writeObject(object, into: &writer)
        }
    }

    /// Reads the column for `count` records; nil means every object is empty.
    static func readColumn(_ reader: inout ByteReader, count: Int, limits: FrameLimits) throws(FrameError) -> [JSONObject]? {
        let flag = try reader.readByte("props flag")
        switch flag {
        case 0:
            return nil
        case 1:
            guard count <= reader.remaining else {
                throw reader.failure(.malformedPayload, "props for \(count) records cannot fit in the \(reader.remaining) bytes left")
            }
            var objects: [JSONObject] = []
            objects.reserveCapacity(count)
            for _ in 0..<count { objects.append(try readObject(&reader, depth: 0, limits: limits)) }
            return objects
        default:
            throw reader.failure(.malformedPayload, "props flag \(flag) is not 0 (all empty) or 1")
        }
    }

    static func readObject(_ reader: inout ByteReader, depth: Int, limits: FrameLimits) throws(FrameError) -> JSONObject {
        let count = try reader.readCount("props member count", minimumBytes: 2, limit: Int(UInt32.max))
        var members: [JSONMember] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.readString("props key", limits: limits)
            members.append(JSONMember(key, try readValue(&reader, depth: depth, limits: limits)))
        }
        return JSONObject(members)
    }

    static func readValue(_ reader: inout ByteReader, depth: Int, limits: FrameLimits) throws(FrameError) -> JSONValue {
        let tagByte = try reader.readByte("props value tag")
        guard let tag = Tag(rawValue: tagByte) else {
            throw reader.failure(.malformedPayload, "props value tag \(tagByte) is not 0...7")
        }
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .integer: return .integer(Zigzag.decode(try reader.readVarint("props integer")))
        case .double: return .double(Double(bitPattern: try reader.readUInt64("props double")))
        case .string: return .string(try reader.readString("props string", limits: limits))
        case .array, .object:
            guard depth < limits.maxNesting else {
                throw reader.failure(.limitExceeded, "props nesting deeper than maxNesting \(limits.maxNesting)")
            }
            if tag == .object { return .object(try readObject(&reader, depth: depth + 1, limits: limits)) }
            let count = try reader.readCount("props array count", minimumBytes: 1, limit: Int(UInt32.max))
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try readValue(&reader, depth: depth + 1, limits: limits)) }
            return .array(elements)
        }
    }
}
